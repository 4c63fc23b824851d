using System.Security.Cryptography;
using System.Text;
using AdminPortal.Web.Remote;

namespace AdminPortal.UnitTests.Remote;

/// <summary><c>mail/passwd-file.sh</c> under sh against temporary folders: the compare-and-swap, the lock, and its refusals.</summary>
public sealed class PasswdFileScriptTests
{
    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static Task<LocalRun> WriteAsync(ScriptHarness.TempDir dir, string expected, string content, string? lockDir = null) =>
        ScriptHarness.RunAsync("mail/passwd-file", ["write", dir["users"], expected, lockDir ?? dir["locks"]], content);

    [Fact]
    public async Task Read_prints_the_file_and_nothing_when_there_is_none()
    {
        using var dir = new ScriptHarness.TempDir();
        Assert.Equal(new LocalRun(0, "", ""), await ScriptHarness.RunAsync("mail/passwd-file", ["read", dir["users"]]));
        File.WriteAllText(dir["users"], "a:x\n");
        Assert.Equal("a:x\n", (await ScriptHarness.RunAsync("mail/passwd-file", ["read", dir["users"]])).Stdout);
    }

    [Fact]
    public async Task Read_and_write_refuse_a_symlink_at_the_file_and_leave_its_target_alone()
    {
        using var dir = new ScriptHarness.TempDir();
        File.WriteAllText(dir["secret"], "root-only\n");
        File.CreateSymbolicLink(dir["users"], dir["secret"]);
        var read = await ScriptHarness.RunAsync("mail/passwd-file", ["read", dir["users"]]);
        Assert.Equal(ScriptExit.Unsafe, read.Code);
        Assert.Equal("", read.Stdout);
        var write = await WriteAsync(dir, Sha("root-only\n"), "a:x\n");
        Assert.Equal(ScriptExit.Unsafe, write.Code);
        Assert.Equal("root-only\n", File.ReadAllText(dir["secret"]));
    }

    [Fact]
    public async Task Write_replaces_the_file_keeping_its_mode_a_second_later_and_leaves_no_staging_folder()
    {
        using var dir = new ScriptHarness.TempDir();
        File.WriteAllText(dir["users"], "a:x\n");
        File.SetUnixFileMode(dir["users"], (UnixFileMode)0b110_100_000);
        var before = File.GetLastWriteTimeUtc(dir["users"]);
        var run = await WriteAsync(dir, Sha("a:x\n"), "a:x\nb:y\n");
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal("a:x\nb:y\n", File.ReadAllText(dir["users"]));
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(dir["users"]));
        Assert.True(File.GetLastWriteTimeUtc(dir["users"]) > before);
        Assert.Equal(["locks", "users"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(dir["locks"]));
    }

    [Fact]
    public async Task A_new_file_is_0640()
    {
        using var dir = new ScriptHarness.TempDir();
        var run = await WriteAsync(dir, Sha(""), "a:x\n");
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(dir["users"]));
    }

    [Fact]
    public async Task A_file_changed_since_it_was_read_is_superseded_and_unchanged()
    {
        using var dir = new ScriptHarness.TempDir();
        File.WriteAllText(dir["users"], "a:x\nc:z\n");
        var run = await WriteAsync(dir, Sha("a:x\n"), "a:x\nb:y\n");
        Assert.Equal(ScriptExit.Superseded, run.Code);
        Assert.Equal("a:x\nc:z\n", File.ReadAllText(dir["users"]));
    }

    [Fact]
    public async Task A_lock_folder_that_is_a_symlink_or_open_to_others_is_refused()
    {
        using var dir = new ScriptHarness.TempDir();
        File.WriteAllText(dir["users"], "a:x\n");
        Directory.CreateDirectory(dir["elsewhere"]);
        File.SetUnixFileMode(dir["elsewhere"], (UnixFileMode)0b111_000_000);
        Directory.CreateSymbolicLink(dir["linked"], dir["elsewhere"]);
        Assert.Equal(ScriptExit.Unsafe, (await WriteAsync(dir, Sha("a:x\n"), "b\n", dir["linked"])).Code);
        Directory.CreateDirectory(dir["open"]);
        File.SetUnixFileMode(dir["open"], (UnixFileMode)0b111_111_111);
        Assert.Equal(ScriptExit.Unsafe, (await WriteAsync(dir, Sha("a:x\n"), "b\n", dir["open"])).Code);
        Assert.Equal("a:x\n", File.ReadAllText(dir["users"]));
        Assert.Empty(Directory.GetFileSystemEntries(dir["elsewhere"]));
    }

    [Fact]
    public async Task A_writer_that_read_before_another_wrote_is_superseded_and_nothing_is_lost()
    {
        using var dir = new ScriptHarness.TempDir();
        File.WriteAllText(dir["users"], "a:x\n");
        var first = await WriteAsync(dir, Sha("a:x\n"), "a:x\nb:y\n");
        Assert.Equal(0, first.Exit);
        // A second writer that read before the first one wrote: its compare fails under the lock, nothing is lost.
        var second = await WriteAsync(dir, Sha("a:x\n"), "a:x\nc:z\n");
        Assert.Equal(ScriptExit.Superseded, second.Code);
        Assert.Equal("a:x\nb:y\n", File.ReadAllText(dir["users"]));
    }

    [Theory]
    [InlineData("read", "relative/users")]
    [InlineData("delete", "/tmp/users")]
    public async Task Bad_arguments_are_a_usage_error(string verb, string path)
    {
        Assert.Equal(ScriptExit.Usage, (await ScriptHarness.RunAsync("mail/passwd-file", [verb, path])).Code);
    }
}
