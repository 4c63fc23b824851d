using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AdminPortal.Pki;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace AdminPortal.Benchmarks;

public sealed record PkiRsaResult(int KeysPerMethod, IReadOnlyList<PkiRsaRow> Rows, double OpenSslVersionMs, double OpenSslVersionCpuMs);

/// <summary>Mean wall and CPU ms per key with the half-width of their 95% confidence intervals.</summary>
public sealed record PkiRsaRow(string Method, double MeanMs, double MeanCi, double MedianMs, double MeanCpuMs, double MeanCpuCi);

/// <summary>
/// RSA-2048 key generation, ms per key. Subject: the engine's KeyPairs.Generate(Rsa2048) (.NET's RSA, backed
/// by OpenSSL's libcrypto, converted to BouncyCastle parameters). Baselines: `openssl genpkey` (one process per
/// key, with the cost of starting openssl, measured by `openssl version`, subtracted), BouncyCastle's
/// RsaKeyPairGenerator and .NET's RSA alone, in-process. RSA key generation time is a random variable (the prime
/// search, heavy-tailed), so every method makes many keys, interleaved key by key (A B C D A B C D ...) so that
/// the machine's changing load falls on all alike, and the means compare with their confidence intervals. CPU
/// time is measured too (this process's for in-process methods, user+system from /usr/bin/time for openssl): it is
/// what the generator costs, with less of the other users' load in it than the wall time.
/// </summary>
public sealed class PkiRsaKeyBenchmark : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("adminportal-bench-rsa-").FullName;
    private static readonly SecureRandom Random = new();

    private static readonly string[] GenPkey = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];

    public const string Engine = "engine: KeyPairs.Generate(Rsa2048) (.NET RSA on OpenSSL + conversion to BouncyCastle)";
    public const string OpenSslNet = "`openssl genpkey` minus `openssl version` (key generation only)";

    public PkiRsaResult Measure(int keys)
    {
        var methods = new (string Name, Func<(double Wall, double Cpu)> OneKey)[]
        {
            (Engine, () => InProcess(() => KeyPairs.Generate(KeyAlgorithm.Rsa2048))),
            (".NET RSA.Create(2048) alone (OpenSSL's libcrypto in-process)", () => InProcess(() => { using var rsa = RSA.Create(2048); rsa.ExportParameters(true); })),
            ("BouncyCastle RsaKeyPairGenerator (e=65537, certainty 100) in-process", () => InProcess(() =>
            {
                var g = new RsaKeyPairGenerator();
                g.Init(new RsaKeyGenerationParameters(Org.BouncyCastle.Math.BigInteger.ValueOf(65537), Random, 2048, 100));
                g.GenerateKeyPair();
            })),
            ("`openssl genpkey`, one process per key, as timed (start-up included)", () => OpenSsl([.. GenPkey, "-out", Path.Combine(_dir, "k.pem")])),
            ("`openssl version` (the start-up cost of an openssl process)", () => OpenSsl(["version"])),
        };
        foreach (var m in methods) m.OneKey(); // warm-up: JIT, libcrypto loaded, page cache for the openssl binary
        var samples = methods.ToDictionary(m => m.Name, _ => new List<(double Wall, double Cpu)>());
        for (var i = 0; i < keys; i++)
        {
            foreach (var m in methods) samples[m.Name].Add(m.OneKey());
            if ((i + 1) % 10 == 0)
                Console.WriteLine($"  RSA {i + 1}/{keys}: " + string.Join(", ", methods.Select(m => $"{samples[m.Name].Average(s => s.Wall):F0}")) +
                                  $" ms mean so far (load {PkiProcess.LoadAverage()})");
        }
        var rows = methods.Select(m => Row(m.Name, samples[m.Name])).ToList();
        var version = rows[^1];
        var genpkey = samples[methods[^2].Name];
        var versionSamples = samples[methods[^1].Name];
        // Pairwise differences (each genpkey minus the `openssl version` run right after it) for the interval.
        rows.Add(Row(OpenSslNet, genpkey.Zip(versionSamples, (g, v) => (g.Wall - v.Wall, g.Cpu - v.Cpu)).ToList()));
        return new PkiRsaResult(keys, rows, version.MeanMs, version.MeanCpuMs);
    }

    private static PkiRsaRow Row(string name, List<(double Wall, double Cpu)> s) =>
        new(name, s.Average(x => x.Wall), Ci(s.Select(x => x.Wall).ToList()), PkiProcess.Median(s.Select(x => x.Wall)), s.Average(x => x.Cpu), Ci(s.Select(x => x.Cpu).ToList()));

    /// <summary>Half-width of the 95% confidence interval of the mean (normal approximation; n is large).</summary>
    private static double Ci(List<double> xs)
    {
        var mean = xs.Average();
        var sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
        return 1.96 * sd / Math.Sqrt(xs.Count);
    }

    private (double Wall, double Cpu) OpenSsl(string[] args)
    {
        var o = PkiProcess.Check(PkiProcess.Run("/usr/bin/time", ["-f", "cpu %U %S", "openssl", .. args], workDir: _dir), "openssl " + args[0]);
        var cpu = o.Output.Split('\n').Last(l => l.StartsWith("cpu ", StringComparison.Ordinal)).Split(' ');
        return (o.Seconds * 1000, (double.Parse(cpu[1], CultureInfo.InvariantCulture) + double.Parse(cpu[2], CultureInfo.InvariantCulture)) * 1000);
    }

    private static (double Wall, double Cpu) InProcess(Action a)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        a();
        return (sw.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
