using System.Diagnostics;
using System.Text;
using AdminPortal.Pki;

namespace AdminPortal.Benchmarks;

public sealed record PkiCrlRow(string Encoder, double MedianSeconds, double MinSeconds, double MedianCpuSeconds, int Bytes);

public sealed record PkiCrlResult(int Entries, int Runs, IReadOnlyList<PkiCrlRow> Rows, IReadOnlyList<string> Checks);

/// <summary>
/// A CRL of N revoked entries (reasons cycled, every one with a reasonCode) signed by a P-256 CA: the engine's
/// CrlBuilder (as CrlService calls it: Build, then GetEncoded) against BouncyCastle's generator, .NET's
/// CertificateRevocationListBuilder, and `openssl ca -gencrl` on an index.txt holding the same entries, same CA
/// key. Runs interleave the encoders; the engine's output is then read back by `openssl crl -text`.
/// </summary>
public sealed class PkiCrlBenchmark : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("adminportal-bench-crl-").FullName;

    // Reasons `openssl ca` takes without more arguments (no privilegeWithdrawn/aACompromise; certificateHold wants a
    // hold instruction), so the baseline holds the same entries.
    private static readonly RevocationReason[] Reasons =
        [RevocationReason.KeyCompromise, RevocationReason.Superseded, RevocationReason.AffiliationChanged, RevocationReason.CessationOfOperation];

    private double _openSslCpu;

    public PkiCrlResult Measure(int entries, int runs)
    {
        var ca = PkiIssuanceBenchmark.NewCa(KeyAlgorithm.EcdsaP256);
        using var ecKey = PkiCrlEncoders.ImportEcKey(ca);
        var now = DateTimeOffset.UtcNow;
        var rnd = new Random(42);
        var list = Enumerable.Range(0, entries)
            .Select(i => new RevokedEntry(Serials.New(), now.AddSeconds(-rnd.Next(1, 300 * 86400)), Reasons[i % Reasons.Length])).ToList();
        PrepareOpenSsl(ca, list);

        var number = 1L;
        var encoders = new (string Name, Func<byte[]> Encode)[]
        {
            ("engine: CrlBuilder.Build + GetEncoded", () => CrlBuilder.Build(ca, Org.BouncyCastle.Math.BigInteger.ValueOf(number++), now, now.AddDays(30), list).GetEncoded()),
            ("BouncyCastle X509V2CrlGenerator (the engine's encoder before)", () => PkiCrlEncoders.BouncyCastle(ca, number++, now, now.AddDays(30), list)),
            (".NET CertificateRevocationListBuilder + .NET ECDsa", () => PkiCrlEncoders.DotNet(ca, ecKey, number++, now, now.AddDays(30), list)),
            ("`openssl ca -gencrl` (process, index.txt of the same entries)", () =>
            {
                // Under /usr/bin/time for its CPU seconds (user + system).
                var o = PkiProcess.Check(PkiProcess.Run("/usr/bin/time", ["-f", "cpu %U %S", "openssl", "ca", "-gencrl", "-config", Path.Combine(_dir, "ca.cnf"), "-out", Path.Combine(_dir, "openssl-crl.pem")], workDir: _dir), "openssl ca -gencrl");
                var cpu = o.Output.Split('\n').Last(l => l.StartsWith("cpu ", StringComparison.Ordinal)).Split(' ');
                _openSslCpu = double.Parse(cpu[1], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(cpu[2], System.Globalization.CultureInfo.InvariantCulture);
                return Pem.ReadAll(File.ReadAllText(Path.Combine(_dir, "openssl-crl.pem")), "X509 CRL")[0];
            }),
        };
        // Warm-up: JIT and the code paths on a small list; the page cache for openssl and index.txt.
        var full = list;
        list = full.Take(1000).ToList();
        foreach (var e in encoders.Take(3)) e.Encode();
        list = full;
        encoders[3].Encode();

        var times = encoders.ToDictionary(e => e.Name, _ => new List<double>());
        var cpus = encoders.ToDictionary(e => e.Name, _ => new List<double>());
        var sizes = new Dictionary<string, int>();
        byte[] engineDer = [];
        for (var r = 0; r < runs; r++)
        {
            foreach (var e in encoders)
            {
                GC.Collect();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var der = e.Encode();
                times[e.Name].Add(sw.Elapsed.TotalSeconds);
                // The encoders are single-threaded: the process's CPU time is theirs (plus a little GC), and is what
                // the load of other users on this machine does not inflate.
                cpus[e.Name].Add(e.Name.StartsWith("`openssl", StringComparison.Ordinal) ? _openSslCpu : (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
                sizes[e.Name] = der.Length;
                if (e.Name.StartsWith("engine", StringComparison.Ordinal)) engineDer = der;
            }
            Console.WriteLine($"  CRL run {r + 1}: " + string.Join(", ", encoders.Select(e => $"{times[e.Name][^1]:F2}")) + $" s (load {PkiProcess.LoadAverage()})");
        }
        var rows = encoders.Select(e => new PkiCrlRow(e.Name, PkiProcess.Median(times[e.Name]), times[e.Name].Min(), PkiProcess.Median(cpus[e.Name]), sizes[e.Name])).ToList();
        return new PkiCrlResult(entries, runs, rows, CheckWithOpenSsl(ca, engineDer, list));
    }

    /// <summary>What `openssl crl` reads in the engine's CRL: the contract of OPENVPN.md, counted.</summary>
    private List<string> CheckWithOpenSsl(CertificateAuthorityKeys ca, byte[] der, List<RevokedEntry> list)
    {
        var crl = Path.Combine(_dir, "engine-crl.pem");
        File.WriteAllText(crl, Pem.Block("X509 CRL", der));
        var text = PkiProcess.Check(PkiProcess.Run("openssl", ["crl", "-in", crl, "-noout", "-text"]), "openssl crl -text").Output;
        var verify = PkiProcess.Run("openssl", ["crl", "-in", crl, "-noout", "-CAfile", Path.Combine(_dir, "ca.pem")]);
        int Count(string s) { var n = 0; for (var i = text.IndexOf(s, StringComparison.Ordinal); i >= 0; i = text.IndexOf(s, i + 1, StringComparison.Ordinal)) n++; return n; }
        var lines = text.Split('\n').Select(l => l.Trim()).ToList();
        var byReason = Reasons.Select(r => (r, lines.Count(l => l == OpenSslName(r)))).ToList();
        return
        [
            $"signature: `openssl crl -CAfile ca.pem` says \"{verify.Output.Trim()}\"",
            $"version: {(text.Contains("Version 2 (0x1)") ? "v2" : "NOT v2")}",
            $"cRLNumber present: {text.Contains("X509v3 CRL Number")}; authorityKeyIdentifier present: {text.Contains("X509v3 Authority Key Identifier")}; " +
            $"Issuing Distribution Point present: {text.Contains("Issuing Distribution Point")}",
            $"revoked entries: {Count("Serial Number: ")} of {list.Count}; reasonCode extensions: {Count("X509v3 CRL Reason Code")}",
            "reasons: " + string.Join(", ", byReason.Select(x => $"{OpenSslName(x.r)} {x.Item2}")),
        ];
    }

    private static string OpenSslName(RevocationReason r) => r switch
    {
        RevocationReason.KeyCompromise => "Key Compromise",
        RevocationReason.Superseded => "Superseded",
        RevocationReason.AffiliationChanged => "Affiliation Changed",
        RevocationReason.CessationOfOperation => "Cessation Of Operation",
        _ => r.ToString(),
    };

    private void PrepareOpenSsl(CertificateAuthorityKeys ca, IReadOnlyList<RevokedEntry> list)
    {
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), Pem.Certificate(ca.Certificate));
        File.WriteAllText(Path.Combine(_dir, "ca.key"), Pem.PrivateKey(KeyPairs.ExportPkcs8(ca.PrivateKey)));
        File.WriteAllText(Path.Combine(_dir, "crlnumber"), "01\n");
        File.WriteAllText(Path.Combine(_dir, "index.txt.attr"), "unique_subject = no\n");
        var expiry = DateTimeOffset.UtcNow.AddDays(825).ToString("yyMMddHHmmss") + "Z";
        var sb = new StringBuilder();
        var i = 0;
        foreach (var e in list)
        {
            var hex = Serials.ToHex(e.Serial).ToUpperInvariant();
            if (hex.Length % 2 == 1) hex = "0" + hex;
            sb.Append("R\t").Append(expiry).Append('\t').Append(e.RevokedAt.UtcDateTime.ToString("yyMMddHHmmss")).Append("Z,")
                .Append(e.Reason.Name()).Append('\t').Append(hex).Append("\tunknown\t/CN=user").Append(i++).Append('\n');
        }
        File.WriteAllText(Path.Combine(_dir, "index.txt"), sb.ToString());
        File.WriteAllText(Path.Combine(_dir, "ca.cnf"), $"""
            [ ca ]
            default_ca = bench
            [ bench ]
            dir = {_dir}
            database = $dir/index.txt
            crlnumber = $dir/crlnumber
            certificate = $dir/ca.pem
            private_key = $dir/ca.key
            new_certs_dir = $dir
            serial = $dir/serial
            default_md = sha256
            default_crl_days = 30
            crl_extensions = crl_ext
            unique_subject = no
            [ crl_ext ]
            authorityKeyIdentifier = keyid:always
            """);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
