using AdminPortal.Web.Remote;

namespace AdminPortal.UnitTests.Remote;

public sealed class AtomicWriteScriptTests
{
    private static string Me => Environment.UserName;

    [Fact]
    public async Task Writes_the_bytes_on_stdin_with_the_given_mode_and_leaves_no_staging_folder()
    {
        using var dir = new ScriptHarness.TempDir();
        var run = await ScriptHarness.RunAsync("atomic-write", [dir["f.conf"], Me, Me, "640"], "hello\n");
        Assert.Equal(0, run.Exit);
        Assert.Equal("hello\n", File.ReadAllText(dir["f.conf"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(dir["f.conf"]));
        Assert.Equal(["f.conf"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_symlink_at_the_target_is_replaced_and_its_target_is_untouched()
    {
        using var dir = new ScriptHarness.TempDir();
        File.WriteAllText(dir["victim"], "keep");
        File.CreateSymbolicLink(dir["f.conf"], dir["victim"]);
        var run = await ScriptHarness.RunAsync("atomic-write", [dir["f.conf"], Me, Me, "600"], "new");
        Assert.Equal(0, run.Exit);
        Assert.Equal("keep", File.ReadAllText(dir["victim"]));
        Assert.Null(new FileInfo(dir["f.conf"]).LinkTarget);
        Assert.Equal("new", File.ReadAllText(dir["f.conf"]));
    }

    [Theory]
    [InlineData("relative/path", "600")]
    [InlineData("/tmp/x", "rw-r--r--")]
    public async Task Bad_arguments_are_a_usage_error_that_writes_nothing(string path, string mode)
    {
        var run = await ScriptHarness.RunAsync("atomic-write", [path, Me, Me, mode], "x");
        Assert.Equal(ScriptExit.Usage, run.Code);
    }

    [Fact]
    public async Task A_folder_that_is_a_symlink_is_refused()
    {
        using var dir = new ScriptHarness.TempDir();
        Directory.CreateDirectory(dir["real"]);
        Directory.CreateSymbolicLink(dir["link"], dir["real"]);
        var run = await ScriptHarness.RunAsync("atomic-write", [dir["link"] + "/f", Me, Me, "600"], "x");
        Assert.Equal(ScriptExit.Unsafe, run.Code);
        Assert.Empty(Directory.GetFileSystemEntries(dir["real"]));
    }
}
