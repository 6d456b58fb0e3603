namespace LatticeFlow;

/// <summary>
/// A problem with what the user asked for (a bad parameter, a missing or corrupt file, an output
/// directory in the way). The CLI prints its message as one line and exits non-zero; anything else
/// that escapes is a bug in LatticeFlow.
/// </summary>
public sealed class InvalidInputException(string message) : Exception(message);
