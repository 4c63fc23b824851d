using System.Diagnostics;
using AdminPortal.Pki;

namespace AdminPortal.Benchmarks;

public sealed record PkiIssuanceResult(
    double OneThreadPerSecond, double AllCoresPerSecond, double KeyGenerationPerSecond, double SigningPerSecond,
    int Certificates, double EasyRsaPerSecond, int EasyRsaCertificates, double CpuMsPerCertificate)
{
    public double Ratio => AllCoresPerSecond / EasyRsaPerSecond;
}

/// <summary>
/// P-256 client issuance in-process through the engine, as VpnUserService does it before its transaction:
/// KeyPairs.Generate, Serials.New, CertificateBuilder.Issue by a P-256 CA, then the PEM certificate and the PKCS#8
/// key the portal stores. Interleaved, round by round, with easy-rsa's build-client-full on the same machine.
/// </summary>
public sealed class PkiIssuanceBenchmark
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly CertificateAuthorityKeys _ca = NewCa(KeyAlgorithm.EcdsaP256);

    public static CertificateAuthorityKeys NewCa(KeyAlgorithm algorithm)
    {
        var keys = KeyPairs.Generate(algorithm);
        return new CertificateAuthorityKeys(CertificateBuilder.CreateRootCa("Bench CA", keys, Now, TimeSpan.FromDays(3650), Serials.New()), keys.Private);
    }

    public int IssueOne(int i)
    {
        var keys = KeyPairs.Generate(KeyAlgorithm.EcdsaP256);
        var cert = CertificateBuilder.Issue(_ca, CertificateKind.Client, $"user{i}", keys.Public, Now, TimeSpan.FromDays(825), Serials.New());
        return Pem.Certificate(cert).Length + KeyPairs.ExportPkcs8(keys.Private).Length;
    }

    private double Rate(int count, int threads) => RateAndCpu(count, threads).PerSecond;

    /// <summary>Certificates per second of wall time, and this process's CPU ms per certificate.</summary>
    private (double PerSecond, double CpuMs) RateAndCpu(int count, int threads)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => IssueOne(i));
        return (count / sw.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count);
    }

    private static double RateOf(int count, Action<int> work)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) work(i);
        return count / sw.Elapsed.TotalSeconds;
    }

    public PkiIssuanceResult Measure(PkiEasyRsa easyRsa, int certificatesPerRound, int rounds, int easyRsaPerRound)
    {
        Rate(Math.Min(certificatesPerRound, 500), 1); // warm-up: JIT, BouncyCastle's tables
        var pub = KeyPairs.Generate(KeyAlgorithm.EcdsaP256).Public;
        List<double> one = [], all = [], keygen = [], sign = [], cpu = [];
        for (var r = 0; r < rounds; r++)
        {
            one.Add(Rate(certificatesPerRound, 1));
            easyRsa.BuildClients(easyRsaPerRound);
            var (rate, cpuMs) = RateAndCpu(certificatesPerRound, Environment.ProcessorCount);
            all.Add(rate);
            cpu.Add(cpuMs);
            keygen.Add(RateOf(certificatesPerRound, _ => KeyPairs.Generate(KeyAlgorithm.EcdsaP256)));
            sign.Add(RateOf(certificatesPerRound, i => CertificateBuilder.Issue(_ca, CertificateKind.Client, $"u{i}", pub, Now, TimeSpan.FromDays(825), Serials.New())));
            Console.WriteLine($"  issuance round {r + 1}: 1 thread {one[^1]:F0}/s, {Environment.ProcessorCount} threads {all[^1]:F0}/s ({cpu[^1]:F3} CPU ms each), " +
                              $"easy-rsa {easyRsaPerRound / easyRsa.All.TakeLast(easyRsaPerRound).Sum():F2}/s (load {PkiProcess.LoadAverage()})");
        }
        return new PkiIssuanceResult(PkiProcess.Median(one), PkiProcess.Median(all), PkiProcess.Median(keygen), PkiProcess.Median(sign),
            certificatesPerRound, easyRsa.PerSecond, easyRsa.All.Count, PkiProcess.Median(cpu));
    }
}
