namespace AdminPortal.Web.Errors;

public static class InputText
{
    /// <summary>A caller's bad value as it may be echoed in an error: shortened, control characters shown as '?'.</summary>
    public static string Printable(string s, int max = 40) => new(s.Take(max).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
