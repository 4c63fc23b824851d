namespace AdminPortal.Tests.Infrastructure;

public static class Repo
{
    /// <summary>The checkout (the folder with AdminPortal.sln).</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AdminPortal.sln"))) return dir.FullName;
        throw new InvalidOperationException("AdminPortal.sln not found above " + AppContext.BaseDirectory);
    }
}
