using static AdminPortal.Web.Hosts.Ssh.ShellQuote;

namespace AdminPortal.Web.Remote;

/// <summary>
/// The one place that decides how a host script runs as root: directly when the login user is root, else through
/// <c>sudo -n</c> (never a password prompt: a host without a NOPASSWD rule for the login user fails at once). The script's
/// text is passed to <c>sh -c</c> as one quoted word and its values as positional parameters ($1, $2, ...), never inside
/// its text.
/// </summary>
public static class RootCommand
{
    public static bool NeedsSudo(string loginUser) => loginUser != "root";

    /// <summary>The command line: <c>[sudo -n] sh -c 'TEXT' NAME 'ARG1' 'ARG2' ...</c>.</summary>
    public static string For(string loginUser, HostScript script, IEnumerable<string> args) =>
        (NeedsSudo(loginUser) ? "sudo -n " : "") + AsLoginUser(script, args);

    /// <summary>The command line of a script that only reads and runs as the login user, whoever that is: <c>sh -c 'TEXT' NAME ARGS...</c>.</summary>
    public static string AsLoginUser(HostScript script, IEnumerable<string> args)
    {
        var line = new System.Text.StringBuilder();
        line.Append("sh -c ").Append(Quote(script.Text)).Append(' ').Append(Quote("adminportal-" + script.Name.Replace('/', '-')));
        foreach (var arg in args)
        {
            if (arg.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("A script argument cannot hold a NUL.", nameof(args));
            line.Append(' ').Append(Quote(arg));
        }
        return line.ToString();
    }
}
