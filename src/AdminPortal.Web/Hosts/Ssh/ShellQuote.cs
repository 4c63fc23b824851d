namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>POSIX shell quoting: a value in single quotes is taken literally ($, `, ;, newlines and all).</summary>
public static class ShellQuote
{
    public static string Quote(string value) => "'" + value.Replace("'", "'\"'\"'") + "'";
}
