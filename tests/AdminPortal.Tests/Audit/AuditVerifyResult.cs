using System.Net.Http.Json;

namespace AdminPortal.Tests.Audit;

/// <summary>The body of GET /api/v1/audit/verify as a client reads it.</summary>
public sealed record AuditVerifyResult(bool Ok, long Checked, long? FirstBrokenSequence, string? Problem)
{
    public static async Task<AuditVerifyResult> GetAsync(HttpClient auditor)
    {
        var response = await auditor.GetAsync("/api/v1/audit/verify");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AuditVerifyResult>())!;
    }
}
