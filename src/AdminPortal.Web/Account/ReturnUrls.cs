namespace AdminPortal.Web.Account;

public static class ReturnUrls
{
    /// <summary>Only local paths are followed after sign-in (no open redirect).</summary>
    public static string Safe(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\") && !url.Any(char.IsControl)
            ? url
            : "/";
}
