using LatticeFlow.Cli;

return LatticeFlowCli.Run(args);
