using System.Text.RegularExpressions;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Docs;

/// <summary>The README's claims that code can check: the permission matrix and the Quick start commands.</summary>
public sealed partial class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));

    [GeneratedRegex(@"^\| `(?<perm>[a-z.]+)` \|[^|]*\|(?<cells>(?:[^|]*\|){4})\s*$", RegexOptions.Multiline)]
    private static partial Regex MatrixRow();

    [Fact]
    public void The_readme_permission_matrix_is_the_one_the_code_enforces()
    {
        var rows = MatrixRow().Matches(Readme).ToDictionary(m => m.Groups["perm"].Value, m =>
        {
            var cells = m.Groups["cells"].Value.Split('|')[..4];
            string[] order = [Roles.Admin, Roles.SecurityLead, Roles.Helpdesk, Roles.Auditor];
            return order.Where((_, i) => cells[i].Contains('✓')).ToArray();
        });
        Assert.Equal(Permissions.Matrix.Keys.Order(), rows.Keys.Order());
        foreach (var (permission, roles) in Permissions.Matrix)
            Assert.True(roles.Order().SequenceEqual(rows[permission].Order()), $"README row for {permission} differs from Permissions.Matrix");
    }

    [Fact]
    public void The_quick_start_names_the_run_and_test_commands_that_exist()
    {
        Assert.Contains("dotnet run --project src/AdminPortal.Web", Readme);
        Assert.Contains("bash .ci/test", Readme);
        Assert.True(File.Exists(Path.Combine(Repo.Root, "src/AdminPortal.Web/AdminPortal.Web.csproj")));
        Assert.Contains("bash \"$(dirname \"$0\")/test\"", File.ReadAllText(Path.Combine(Repo.Root, ".ci/run")));
    }
}
