using System.Formats.Tar;
using System.Text;
using AdminPortal.Web.Remote;
using AdminPortal.Web.VpnServers;

namespace AdminPortal.UnitTests.Remote;

/// <summary>The VPN host scripts under <c>sh</c> against a temporary config directory (as this process's user; no OpenVPN, no sshd).</summary>
public sealed class VpnScriptTests
{
    private static async Task<HostRecords> RecordsAsync(string dir)
    {
        var run = await ScriptHarness.RunAsync("vpn/state", [dir]);
        Assert.True(run.Exit == 0, run.Stderr);
        return HostRecords.Parse(run.Stdout);
    }

    private static byte[] Tar(params (string Name, string Text, string Mode)[] files)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
            foreach (var (name, text, mode) in files)
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = (UnixFileMode)Convert.ToInt32(mode, 8),
                });
        return buffer.ToArray();
    }

    private static async Task<LocalRun> StageAsync(string dir, long generation, params (string, string, string)[] files)
    {
        var prepared = await ScriptHarness.RunAsync("vpn/prepare", [dir, generation.ToString()]);
        Assert.True(prepared.Exit == 0, prepared.Stderr);
        return await ScriptHarness.RunBytesAsync("vpn/stage", [dir, generation.ToString()], Tar(files));
    }

    private static readonly (string, string, string)[] ServerFiles =
    [
        ("server.conf", "dev tun\n", "644"), ("ca.pem", "CA\n", "644"), ("server.crt", "CRT\n", "644"), ("server.key", "KEY\n", "600"),
        ("tls-crypt.key", "TLS\n", "600"), ("crl.pem", "CRL-2\n", "644"), (PublishScripts.CrlNumberFile, "00aa 2\nsha256 x\n", "644"),
        ("ccd/alice", "ifconfig-push 10.8.0.200 255.255.255.0\n", "644"),
    ];

    [Fact]
    public async Task Prepare_makes_a_staging_folder_that_is_0700_from_the_start_and_stage_unpacks_with_the_final_modes()
    {
        using var tmp = new ScriptHarness.TempDir();
        var dir = tmp["openvpn"];
        var staged = await StageAsync(dir, 4, ServerFiles);
        Assert.True(staged.Exit == 0, staged.Stderr);
        var st = Path.Combine(dir, ".staged-4");
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(st));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(st, "server.key")));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(st, "tls-crypt.key")));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Path.Combine(st, "crl.pem")));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(st, "ccd")));
        Assert.Equal("KEY\n", File.ReadAllText(Path.Combine(st, "server.key")));
    }

    [Fact]
    public async Task Stage_refuses_a_staging_folder_another_account_could_open()
    {
        using var tmp = new ScriptHarness.TempDir();
        var dir = tmp["openvpn"];
        Assert.Equal(0, (await ScriptHarness.RunAsync("vpn/prepare", [dir, "4"])).Exit);
        File.SetUnixFileMode(Path.Combine(dir, ".staged-4"), (UnixFileMode)0b111_101_101);
        var staged = await ScriptHarness.RunBytesAsync("vpn/stage", [dir, "4"], Tar(ServerFiles));
        Assert.Equal(ScriptExit.Unsafe, staged.Code);
        Assert.False(File.Exists(Path.Combine(dir, ".staged-4", "server.key")));
        Assert.Equal(ScriptExit.Missing, (await ScriptHarness.RunBytesAsync("vpn/stage", [dir, "5"], Tar(ServerFiles))).Code);
    }

    [Theory]
    [InlineData("relative", "4")]
    [InlineData("/tmp/x", "4; reboot")]
    public async Task Bad_arguments_are_usage_errors(string dir, string generation)
    {
        Assert.Equal(ScriptExit.Usage, (await ScriptHarness.RunAsync("vpn/prepare", [dir, generation])).Code);
    }

    [Fact]
    public async Task Install_with_the_token_it_was_decided_on_installs_keeps_pushed_ccd_files_and_records_the_generation()
    {
        using var tmp = new ScriptHarness.TempDir();
        var dir = tmp["openvpn"];
        Assert.Equal(0, (await StageAsync(dir, 4, ServerFiles)).Exit);
        // A ccd push after publish 4 rendered: bob's file, at generation 5.
        var before = await RecordsAsync(dir);
        var pushed = await ScriptHarness.RunAsync("vpn/ccd-write", [dir, "bob", before.Token, "write", before.JournalWith("bob", 5)], "iroute 192.168.1.0 255.255.255.0\n");
        Assert.True(pushed.Exit == 0, pushed.Stderr);

        var records = await RecordsAsync(dir);
        Assert.Equal(["bob"], records.PushedAfter(4));
        var stale = await ScriptHarness.RunAsync("vpn/install", [dir, "4", before.Token, "0", "bob"]);
        Assert.Equal(ScriptExit.Superseded, stale.Code);
        Assert.False(File.Exists(Path.Combine(dir, "server.conf")));

        var installed = await ScriptHarness.RunAsync("vpn/install", [dir, "4", records.Token, "0", .. records.PushedAfter(4)]);
        Assert.True(installed.Exit == 0, installed.Stderr);
        Assert.Contains("(publish generation 4)", installed.Stdout);
        Assert.Equal("KEY\n", File.ReadAllText(Path.Combine(dir, "server.key")));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(dir, "server.key")));
        Assert.Equal("iroute 192.168.1.0 255.255.255.0\n", File.ReadAllText(Path.Combine(dir, "ccd", "bob")));
        Assert.True(File.Exists(Path.Combine(dir, "ccd", "alice")));
        Assert.Equal("CRL-2\n", File.ReadAllText(Path.Combine(dir, "crl.pem")));
        Assert.Equal(4, (await RecordsAsync(dir)).Generation);
        Assert.Empty(Directory.GetDirectories(dir, ".staged*"));
        Assert.True(File.Exists(Path.Combine(dir, ".previous", "server.conf.absent")));
    }

    [Fact]
    public async Task Install_told_to_keep_the_crl_keeps_crl_pem_and_its_record_and_restore_puts_the_previous_files_back()
    {
        using var tmp = new ScriptHarness.TempDir();
        var dir = tmp["openvpn"];
        Assert.Equal(0, (await StageAsync(dir, 1, ServerFiles)).Exit);
        Assert.Equal(0, (await ScriptHarness.RunAsync("vpn/install", [dir, "1", (await RecordsAsync(dir)).Token, "0"])).Exit);
        Assert.Equal(0, (await StageAsync(dir, 2, [.. ServerFiles.Select(f => f.Item1 == "server.conf" ? (f.Item1, "dev tun\nverb 4\n", f.Item3) : f)
            .Select(f => f.Item1 == "crl.pem" ? (f.Item1, "CRL-1\n", f.Item3) : f)])).Exit);
        var record = File.ReadAllText(Path.Combine(dir, PublishScripts.CrlNumberFile));

        Assert.Equal(0, (await ScriptHarness.RunAsync("vpn/install", [dir, "2", (await RecordsAsync(dir)).Token, "1"])).Exit);
        Assert.Equal("CRL-2\n", File.ReadAllText(Path.Combine(dir, "crl.pem")));
        Assert.Equal(record, File.ReadAllText(Path.Combine(dir, PublishScripts.CrlNumberFile)));
        Assert.Contains("verb 4", File.ReadAllText(Path.Combine(dir, "server.conf")));

        var restored = await ScriptHarness.RunAsync("vpn/restore", [dir, (await RecordsAsync(dir)).Token, "1"]);
        Assert.True(restored.Exit == 0, restored.Stderr);
        Assert.DoesNotContain("verb 4", File.ReadAllText(Path.Combine(dir, "server.conf")));
        Assert.Equal("CRL-2\n", File.ReadAllText(Path.Combine(dir, "crl.pem")));
        Assert.True(File.Exists(Path.Combine(dir, "ccd", "alice")));
    }

    [Fact]
    public async Task Crl_push_writes_crl_pem_in_a_later_second_with_its_record_and_refuses_a_stale_token()
    {
        using var tmp = new ScriptHarness.TempDir();
        var dir = tmp["openvpn"];
        var empty = await RecordsAsync(dir);
        Assert.Equal(0, empty.Generation);
        Assert.Equal("none", empty.CrlSha256);
        var first = await ScriptHarness.RunAsync("vpn/crl-push", [dir, empty.Token, "00aa 3\nsha256 abc"], "CRL-3\n");
        Assert.True(first.Exit == 0, first.Stderr);
        var mtime = File.GetLastWriteTimeUtc(Path.Combine(dir, "crl.pem"));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Path.Combine(dir, "crl.pem")));
        Assert.Equal("00aa 3\nsha256 abc\n", File.ReadAllText(Path.Combine(dir, PublishScripts.CrlNumberFile)));

        Assert.Equal(ScriptExit.Superseded, (await ScriptHarness.RunAsync("vpn/crl-push", [dir, empty.Token, "00aa 4\nsha256 def"], "CRL-4\n")).Code);
        Assert.Equal("CRL-3\n", File.ReadAllText(Path.Combine(dir, "crl.pem")));

        var again = await ScriptHarness.RunAsync("vpn/crl-push", [dir, (await RecordsAsync(dir)).Token, "00aa 4\nsha256 def"], "CRL-4\n");
        Assert.True(again.Exit == 0, again.Stderr);
        Assert.Equal("CRL-4\n", File.ReadAllText(Path.Combine(dir, "crl.pem")));
        Assert.True(File.GetLastWriteTimeUtc(Path.Combine(dir, "crl.pem")) > mtime);
        Assert.Empty(Directory.GetFiles(dir, ".crl.pem.*"));
    }

    [Fact]
    public async Task Ccd_write_writes_removes_and_journals_and_refuses_bad_names()
    {
        using var tmp = new ScriptHarness.TempDir();
        var dir = tmp["openvpn"];
        var records = await RecordsAsync(dir);
        var written = await ScriptHarness.RunAsync("vpn/ccd-write", [dir, "carol", records.Token, "write", records.JournalWith("carol", 8)], "iroute x\n");
        Assert.True(written.Exit == 0, written.Stderr);
        Assert.Equal("iroute x\n", File.ReadAllText(Path.Combine(dir, "ccd", "carol")));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Path.Combine(dir, "ccd", "carol")));
        Assert.Equal(8, (await RecordsAsync(dir)).ClientConfigGenerations["carol"]);

        Assert.Equal(ScriptExit.Superseded, (await ScriptHarness.RunAsync("vpn/ccd-write", [dir, "carol", records.Token, "remove", "9 carol\n"])).Code);
        Assert.True(File.Exists(Path.Combine(dir, "ccd", "carol")));
        var now = await RecordsAsync(dir);
        Assert.Equal(0, (await ScriptHarness.RunAsync("vpn/ccd-write", [dir, "carol", now.Token, "remove", now.JournalWith("carol", 9)])).Exit);
        Assert.False(File.Exists(Path.Combine(dir, "ccd", "carol")));

        foreach (var bad in new[] { "../passwd", ".hidden", "" })
            Assert.Equal(ScriptExit.Usage, (await ScriptHarness.RunAsync("vpn/ccd-write", [dir, bad, now.Token, "write", ""], "x")).Code);
    }

    [Fact]
    public async Task Fetch_shows_public_files_whole_and_secret_ones_only_by_hash()
    {
        using var tmp = new ScriptHarness.TempDir();
        var dir = tmp["openvpn"];
        Assert.Equal(0, (await StageAsync(dir, 1, ServerFiles)).Exit);
        Assert.Equal(0, (await ScriptHarness.RunAsync("vpn/install", [dir, "1", (await RecordsAsync(dir)).Token, "0"])).Exit);
        var fetched = await ScriptHarness.RunAsync("vpn/fetch", [dir]);
        Assert.Contains($"FILE server.conf {Convert.ToBase64String(Encoding.UTF8.GetBytes("dev tun\n"))}", fetched.Stdout);
        Assert.Contains("FILE ccd/alice ", fetched.Stdout);
        Assert.Matches("HASH server.key [0-9a-f]{64}", fetched.Stdout);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("KEY\n")), fetched.Stdout);
    }

    [Fact]
    public void Every_vpn_script_loads_with_its_includes_inlined()
    {
        var names = HostScript.Names().Where(n => n.StartsWith("vpn/", StringComparison.Ordinal)).ToList();
        Assert.Contains("vpn/install", names);
        foreach (var name in names)
            Assert.DoesNotContain("\n. ./", "\n" + HostScript.Load(name).Text);
    }
}
