using AdminPortal.Web.VpnServers;

namespace AdminPortal.UnitTests.VpnServers;

/// <summary>The diff a publish preview shows: <c>diff -u</c>'s shape, 3 lines of context, hunks merged when their context meets.</summary>
public sealed class UnifiedDiffTests
{
    private static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";

    [Fact]
    public void Equal_texts_have_no_diff() => Assert.Equal("", UnifiedDiff.Of(Lines("a", "b"), Lines("a", "b"), "old", "new"));

    [Fact]
    public void A_missing_final_newline_is_not_a_difference() => Assert.Equal("", UnifiedDiff.Of("a\nb", "a\nb\n", "old", "new"));

    [Fact]
    public void A_new_file_is_all_additions_from_an_empty_one() =>
        Assert.Equal("--- /dev/null\n+++ server.conf\n@@ -0,0 +1,2 @@\n+port 1194\n+dev tun\n",
            UnifiedDiff.Of("", Lines("port 1194", "dev tun"), "/dev/null", "server.conf"));

    [Fact]
    public void A_removed_file_is_all_deletions() =>
        Assert.Equal("--- old\n+++ new\n@@ -1,2 +0,0 @@\n-a\n-b\n", UnifiedDiff.Of(Lines("a", "b"), "", "old", "new"));

    private static string[] Headers(string diff) => [.. diff.Split('\n').Where(l => l.StartsWith("@@", StringComparison.Ordinal))];

    // A replaced line is printed as its addition, then its removal; diff -u prints the removal first. Both apply the same
    // (see the patch test below), so these cases check the hunks and the lines, not that order.
    [Fact]
    public void A_changed_line_in_the_middle_shows_three_lines_of_context_each_side()
    {
        var old = Lines("1", "2", "3", "4", "5", "6", "7", "8", "9");
        var diff = UnifiedDiff.Of(old, old.Replace("5\n", "FIVE\n", StringComparison.Ordinal), "a", "b");
        Assert.Equal(["@@ -2,7 +2,7 @@"], Headers(diff));
        var body = diff.Split('\n')[3..^1];
        Assert.Equal([" 2", " 3", " 4", " 6", " 7", " 8"], body.Where(l => l.StartsWith(' ')));
        Assert.Equal(["-5"], body.Where(l => l.StartsWith('-')));
        Assert.Equal(["+FIVE"], body.Where(l => l.StartsWith('+')));
    }

    [Fact]
    public void Changes_more_than_six_lines_apart_are_two_hunks()
    {
        var old = Lines([.. Enumerable.Range(1, 20).Select(i => i.ToString())]);
        var @new = old.Replace("\n2\n", "\ntwo\n", StringComparison.Ordinal).Replace("\n18\n", "\neighteen\n", StringComparison.Ordinal);
        Assert.Equal(["@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"], Headers(UnifiedDiff.Of(old, @new, "a", "b")));
    }

    [Fact]
    public void Changes_six_lines_apart_share_one_hunk()
    {
        var old = Lines("1", "2", "3", "4", "5", "6", "7", "8", "9");
        var @new = Lines("one", "2", "3", "4", "5", "6", "7", "eight", "9");
        Assert.Equal(["@@ -1,9 +1,9 @@"], Headers(UnifiedDiff.Of(old, @new, "a", "b")));
    }

    public static TheoryData<string, string> Edits => new()
    {
        { Lines("a", "b", "c"), Lines("a", "B", "c") },
        { Lines([.. Enumerable.Range(1, 40).Select(i => $"line {i}")]), Lines([.. Enumerable.Range(1, 40).Select(i => i % 9 == 0 ? $"changed {i}" : $"line {i}")]) },
        { Lines("port 1194", "proto udp", "verb 3"), Lines("port 443", "proto tcp-server", "verb 3", "max-clients 200", "mute 20") },
        { Lines("x", "y", "z", "x", "y", "z"), Lines("y", "z", "x", "q", "z", "x") },
        { "", Lines("only", "new") },
        { Lines("only", "old"), "" },
    };

    /// <summary>GNU patch, an independent reader of unified diffs, turns the old text into the new one with the portal's diff.</summary>
    [Theory]
    [MemberData(nameof(Edits))]
    public async Task GNU_patch_applies_the_diff_to_the_old_text_and_gets_the_new_one(string old, string @new)
    {
        var dir = Directory.CreateTempSubdirectory("ap-diff-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "file"), old);
            File.WriteAllText(Path.Combine(dir.FullName, "diff"), UnifiedDiff.Of(old, @new, "a/file", "b/file"));
            var psi = new System.Diagnostics.ProcessStartInfo("patch", ["-s", "-p1", "-i", "diff", "-o", "out", "file"])
            { WorkingDirectory = dir.FullName, RedirectStandardOutput = true, RedirectStandardError = true };
            using var patch = System.Diagnostics.Process.Start(psi)!;
            var errors = patch.StandardError.ReadToEndAsync();
            var output = await patch.StandardOutput.ReadToEndAsync();
            await patch.WaitForExitAsync();
            Assert.True(patch.ExitCode == 0, $"patch failed ({patch.ExitCode}): {output}{await errors}");
            Assert.Equal(@new, File.ReadAllText(Path.Combine(dir.FullName, "out")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_inserted_line_keeps_the_lines_around_it_as_context()
    {
        var diff = UnifiedDiff.Of(Lines("port 1194", "dev tun", "verb 3"), Lines("port 1194", "dev tun", "max-clients 10", "verb 3"), "a", "b");
        Assert.Equal("--- a\n+++ b\n@@ -1,3 +1,4 @@\n port 1194\n dev tun\n+max-clients 10\n verb 3\n", diff);
    }

    [Fact]
    public void Texts_longer_than_the_limit_are_only_said_to_differ()
    {
        var big = Lines([.. Enumerable.Range(0, UnifiedDiff.MaxLines + 1).Select(i => i.ToString())]);
        Assert.Equal("--- a\n+++ b\n(too long to compare line by line)\n", UnifiedDiff.Of(big, "x\n", "a", "b"));
    }

    [Fact]
    public void The_diff_of_a_realistic_server_conf_change_is_stable() =>
        Golden.Assert("unified-diff-server-conf", UnifiedDiff.Of(
            Lines("port 1194", "proto udp", "dev tun", "topology subnet", "server 10.8.0.0 255.255.255.0 nopool", "ca ca.pem", "cert server.crt",
                "key server.key", "dh none", "tls-crypt tls-crypt.key", "crl-verify crl.pem", "verb 3", "user nobody", "group nogroup"),
            Lines("port 443", "proto tcp-server", "dev tun", "topology subnet", "server 10.8.0.0 255.255.255.0 nopool", "ca ca.pem", "cert server.crt",
                "key server.key", "dh none", "tls-crypt tls-crypt.key", "crl-verify crl.pem", "verb 3", "user nobody", "group nogroup",
                "route 192.168.50.0 255.255.255.0", "max-clients 200"),
            "deployed/server.conf", "new/server.conf"));
}
