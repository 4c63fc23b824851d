using System.Runtime.CompilerServices;
using System.Text;

namespace AdminPortal.UnitTests;

/// <summary>
/// Golden files: a rendered text compared byte for byte with <c>Golden/NAME.txt</c> beside this file. To accept a deliberate
/// change, run the unit tier with <c>ADMINPORTAL_UPDATE_GOLDEN=1</c>: every golden file is rewritten from what the code renders
/// now, and the diff is reviewed in the commit like any other change.
/// </summary>
public static class Golden
{
    public const string UpdateVariable = "ADMINPORTAL_UPDATE_GOLDEN";

    public static void Assert(string name, string actual, [CallerFilePath] string caller = "")
    {
        var path = Path.Combine(Folder(caller), name + ".txt");
        var bytes = new UTF8Encoding(false).GetBytes(actual);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        Xunit.Assert.True(File.Exists(path), $"No golden file {path}: run the unit tier with {UpdateVariable}=1 to write it, then review it.");
        var expected = File.ReadAllBytes(path);
        if (expected.AsSpan().SequenceEqual(bytes)) return;
        // Equal as text gives the readable difference; unequal bytes with equal text (line ends, a BOM) still fail below.
        Xunit.Assert.Equal(Encoding.UTF8.GetString(expected), actual);
        Xunit.Assert.Fail($"{path} differs from the rendered text in its bytes (line ends or encoding) only.");
    }

    /// <summary>The Golden folder of this project (found from a source file of it, so that an update writes the checked-in files).</summary>
    private static string Folder(string caller)
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(caller)!); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AdminPortal.UnitTests.csproj"))) return Path.Combine(dir.FullName, "Golden");
        throw new InvalidOperationException($"AdminPortal.UnitTests.csproj not found above {caller}");
    }
}
