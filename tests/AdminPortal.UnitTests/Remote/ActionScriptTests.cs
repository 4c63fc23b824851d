using AdminPortal.Web.Remote;

namespace AdminPortal.UnitTests.Remote;

/// <summary>The action scripts' refusals and usage errors (none of these cases changes an account, so they run anywhere).</summary>
public sealed class ActionScriptTests
{
    [Theory]
    [InlineData("actions/account-disable", "root", "apportal")]
    [InlineData("actions/account-disable", "apportal", "apportal")]
    [InlineData("actions/account-create", "root", "apportal")]
    [InlineData("actions/account-create", "apportal", "apportal")]
    public async Task Account_scripts_refuse_root_and_the_login_user_before_anything_runs(string script, string user, string login)
    {
        var run = await ScriptHarness.RunAsync(script, [user, login]);
        Assert.Equal(ScriptExit.Unsafe, run.Code);
        Assert.Contains("root or the portal's login user", run.Stderr);
    }

    [Fact]
    public async Task Account_disable_of_an_unknown_user_is_missing()
    {
        var run = await ScriptHarness.RunAsync("actions/account-disable", ["apnosuchuser" + Environment.ProcessId, "root"]);
        Assert.Equal(ScriptExit.Missing, run.Code);
    }

    [Theory]
    [InlineData("actions/account-disable", "someone")]
    [InlineData("actions/account-create", "someone")]
    [InlineData("actions/service-status", "")]
    [InlineData("actions/service-restart", "")]
    [InlineData("actions/account-disable", "-rf root")]
    public async Task Missing_or_bad_arguments_are_a_usage_error(string script, string args)
    {
        var run = await ScriptHarness.RunAsync(script, args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ScriptExit.Usage, run.Code);
    }

    [Fact]
    public async Task System_info_prints_the_kernel()
    {
        var run = await ScriptHarness.RunAsync("actions/system-info", []);
        Assert.Equal(0, run.Exit);
        Assert.StartsWith("Linux ", run.Stdout);
    }

    [Fact]
    public async Task The_aox_script_passes_every_argument_as_one_word()
    {
        using var dir = new ScriptHarness.TempDir();
        File.WriteAllText(dir["aox"], "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        File.SetUnixFileMode(dir["aox"], (UnixFileMode)0b111_101_101);
        string[] args = ["add", "user", "a@b.test", "p w'$(id)`x`;\"", "a@b.test"];
        var run = await ScriptHarness.RunAsync("mail/aox", [dir["aox"], .. args]);
        Assert.Equal(0, run.Exit);
        Assert.Equal(args, run.Stdout.TrimEnd('\n').Split('\n'));
    }
}
