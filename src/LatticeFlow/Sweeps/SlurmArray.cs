using System.Text.Json;
using System.Text.Json.Nodes;
using LatticeFlow.Runs;

namespace LatticeFlow.Sweeps;

/// <summary>
/// Scale-out on a Slurm cluster: a manifest and a job-array script with one parameter point per array task and
/// one GPU per task; each task trains its flow, then samples (`sweep --point i`), with the seeds a local sweep
/// would use (base seed + 1000·point + …). `sweep --aggregate` then collects the finished points.
/// </summary>
public static class SlurmArray
{
    public const string Script = "sweep.sbatch", Manifest = "manifest.json";

    /// <returns>The output directory the array tasks write to (DIR/runs).</returns>
    public static string Emit(SweepSpec spec, string dir, string time = "24:00:00")
    {
        spec = spec.Validated();
        if (File.Exists(dir) || (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()))
            throw new InvalidInputException($"--emit-slurm {dir}: exists and is not empty; choose a new directory");
        string output = Path.Combine(dir, "runs");
        Directory.CreateDirectory(output);
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        File.WriteAllText(Path.Combine(dir, SweepRunner.SpecFile), spec.ToJson());
        File.WriteAllText(Path.Combine(output, SweepRunner.SpecFile), spec.ToJson());
        var tasks = new JsonArray();
        for (int i = 0; i < spec.Points.Count; i++)
        {
            var p = spec.Points[i];
            var seeds = new JsonObject();
            foreach (var a in spec.Algorithms)
                seeds[a] = new JsonArray([.. Enumerable.Range(0, spec.Replicas).Select(r => (JsonNode)spec.SeedFor(i, r, a))]);
            tasks.Add(new JsonObject
            {
                ["task"] = i, ["point"] = p.Name, ["L"] = p.L, ["m2"] = p.Couplings.M2, ["lam"] = p.Couplings.Lambda,
                ["algorithms"] = new JsonArray([.. spec.Algorithms.Select(a => (JsonNode)a)]), ["seeds"] = seeds,
                ["run_directories"] = new JsonArray([.. spec.Algorithms.SelectMany(a => Enumerable.Range(0, spec.Replicas)
                    .Select(r => (JsonNode)Path.GetRelativePath(dir, SweepRunner.RunDirectory(output, p, a, r))))]),
            });
        }
        var manifest = new JsonObject
        {
            ["sweep"] = spec.Name, ["code_version"] = CodeVersion.Current, ["created"] = DateTime.UtcNow.ToString("O"),
            ["output"] = "runs", ["array"] = $"0-{spec.Points.Count - 1}", ["tasks"] = tasks,
        };
        File.WriteAllText(Path.Combine(dir, Manifest), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        string abs = Path.GetFullPath(dir);
        File.WriteAllText(Path.Combine(dir, Script), $$"""
            #!/bin/bash
            # LatticeFlow sweep "{{spec.Name}}": {{spec.Points.Count}} parameter points, one per array task, one GPU per task.
            # Each task trains the flow of its point, then samples with {{string.Join(", ", spec.Algorithms)}} ({{spec.Replicas}} replica(s));
            # seeds follow the local sweep's rule (base seed {{spec.Seed}} + 1000 * task + 10 * replica + algorithm), see manifest.json.
            # Submit:    sbatch {{abs}}/{{Script}}
            # Re-submit the same script to finish interrupted tasks: finished runs are skipped, interrupted ones resume.
            # Collect:   latticeflow sweep --aggregate --out {{abs}}/runs
            #SBATCH --job-name=latticeflow-{{spec.Name}}
            #SBATCH --array=0-{{spec.Points.Count - 1}}
            #SBATCH --gres=gpu:1
            #SBATCH --cpus-per-task=4
            #SBATCH --time={{time}}
            #SBATCH --output={{abs}}/logs/%x-%A_%a.out
            set -euo pipefail
            LATTICEFLOW="${LATTICEFLOW:-latticeflow}"
            exec "$LATTICEFLOW" sweep --file "{{abs}}/{{SweepRunner.SpecFile}}" --out "{{abs}}/runs" --point "$SLURM_ARRAY_TASK_ID" --device cuda --quiet

            """.Replace("\r\n", "\n"));
        return output;
    }
}
