using System.Diagnostics;
using System.Security.Cryptography;
using AdminPortal.Pki;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace AdminPortal.Benchmarks;

public sealed record PkiRsaResult(int KeysPerMethod, IReadOnlyList<PkiRsaRow> Rows, double OpenSslVersionMs);

public sealed record PkiRsaRow(string Method, double MeanMs, double MedianMs);

/// <summary>
/// RSA-2048 key generation, ms per key. Subject: the engine's KeyPairs.Generate(Rsa2048) (.NET's RSA, backed
/// by OpenSSL's libcrypto, converted to BouncyCastle parameters). Baselines: `openssl genpkey` (one process per
/// key, with the cost of starting openssl measured by `openssl version` and subtracted; and N keys in one shell
/// loop minus the same loop running `openssl version`), BouncyCastle's RsaKeyPairGenerator in-process, and .NET's
/// RSA alone. RSA key generation time is a random variable (the prime search), so every method makes many keys,
/// in rounds that interleave the methods, and the mean is what compares.
/// </summary>
public sealed class PkiRsaKeyBenchmark : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("adminportal-bench-rsa-").FullName;
    private static readonly SecureRandom Random = new();

    private static readonly string[] GenPkey = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];

    public PkiRsaResult Measure(int keysPerRound, int rounds)
    {
        var methods = new (string Name, Func<double> OneKeyMs)[]
        {
            ("engine: KeyPairs.Generate(Rsa2048) (.NET RSA on OpenSSL + conversion to BouncyCastle)", () => Time(() => KeyPairs.Generate(KeyAlgorithm.Rsa2048))),
            (".NET RSA.Create(2048) alone (OpenSSL's libcrypto in-process)", () => Time(() => { using var rsa = RSA.Create(2048); rsa.ExportParameters(true); })),
            ("BouncyCastle RsaKeyPairGenerator (e=65537, certainty 100) in-process", () => Time(() =>
            {
                var g = new RsaKeyPairGenerator();
                g.Init(new RsaKeyGenerationParameters(Org.BouncyCastle.Math.BigInteger.ValueOf(65537), Random, 2048, 100));
                g.GenerateKeyPair();
            })),
            ("`openssl genpkey`, one process per key, as timed (start-up included)", () => PkiProcess.Check(OpenSsl([.. GenPkey, "-out", Path.Combine(_dir, "k.pem")]), "openssl genpkey").Seconds * 1000),
        };
        // Warm-up: JIT, libcrypto loaded, page cache for the openssl binary.
        foreach (var m in methods) m.OneKeyMs();
        var times = methods.ToDictionary(m => m.Name, _ => new List<double>());
        List<double> version = [], loopGen = [], loopVersion = [];
        for (var r = 0; r < rounds; r++)
        {
            foreach (var m in methods)
                for (var i = 0; i < keysPerRound; i++) times[m.Name].Add(m.OneKeyMs());
            for (var i = 0; i < keysPerRound; i++) version.Add(PkiProcess.Check(OpenSsl(["version"]), "openssl version").Seconds * 1000);
            loopGen.Add(Loop($"openssl {string.Join(' ', GenPkey)} -out {_dir}/loop.pem", keysPerRound));
            loopVersion.Add(Loop("openssl version >/dev/null", keysPerRound));
            Console.WriteLine($"  RSA round {r + 1}: " + string.Join(", ", methods.Select(m => $"{times[m.Name].TakeLast(keysPerRound).Average():F0}")) +
                              $" ms; openssl version {version.TakeLast(keysPerRound).Average():F1} ms (load {PkiProcess.LoadAverage()})");
        }
        var versionMs = version.Average();
        var rows = methods.Select(m => new PkiRsaRow(m.Name, times[m.Name].Average(), PkiProcess.Median(times[m.Name]))).ToList();
        var genpkey = times[methods[^1].Name];
        rows.Add(new PkiRsaRow("`openssl genpkey` per process minus `openssl version` per process (key generation only)",
            genpkey.Average() - versionMs, PkiProcess.Median(genpkey) - PkiProcess.Median(version)));
        var loopMs = (loopGen.Sum() - loopVersion.Sum()) * 1000 / (keysPerRound * rounds);
        rows.Add(new PkiRsaRow($"`openssl genpkey` in one shell loop of {keysPerRound} keys, minus the same loop of `openssl version`", loopMs, double.NaN));
        return new PkiRsaResult(keysPerRound * rounds, rows, versionMs);
    }

    private PkiProcess.Outcome OpenSsl(string[] args) => PkiProcess.Run("openssl", args, workDir: _dir);

    /// <summary>Seconds for one `sh -c` running the command <paramref name="n"/> times.</summary>
    private double Loop(string command, int n) =>
        PkiProcess.Check(PkiProcess.Run("sh", ["-c", $"i=0; while [ $i -lt {n} ]; do {command} || exit 1; i=$((i+1)); done"], workDir: _dir), "shell loop").Seconds;

    private static double Time(Action a)
    {
        var sw = Stopwatch.StartNew();
        a();
        return sw.Elapsed.TotalMilliseconds;
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
