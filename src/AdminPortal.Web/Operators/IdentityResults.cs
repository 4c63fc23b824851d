using Microsoft.AspNetCore.Identity;

namespace AdminPortal.Web.Operators;

public static class IdentityResults
{
    /// <summary>
    /// For Identity calls whose failure is not the operator's input but a fault (a missing role, a concurrent
    /// update): throw, so the surrounding transaction and its audit event roll back rather than half-apply.
    /// </summary>
    public static async Task Ensure(this Task<IdentityResult> call)
    {
        var result = await call;
        if (!result.Succeeded)
            throw new InvalidOperationException("Identity refused a change: " + string.Join("; ", result.Errors.Select(e => $"{e.Code}: {e.Description}")));
    }
}
