using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Mvc;

namespace AdminPortal.Web.Pki;

public static class ImportEndpoint
{
    private static readonly InvalidInput NoArchive = new("archive",
        "Send multipart/form-data with the archive of easy-rsa's pki/ folder (.tar.gz or .zip) in the field 'archive' and the CA key's passphrase, if it has one, in 'passphrase'.");

    /// <summary><c>POST /api/v1/ca/import</c>: the page's upload for scripts; answers with the report when done.</summary>
    public static RouteGroupBuilder MapEasyRsaImport(this RouteGroupBuilder api)
    {
        // The form is read here rather than bound, so that no antiforgery token is asked of bearer-token callers
        // (the API takes no cookie for a POST, so there is no cross-site request to guard against). No Accepts():
        // its content-type check would answer 415 before authorization does.
        api.MapPost("/ca/import", async (HttpRequest request, HttpContext http, ImportRuns runs, CancellationToken ct) =>
            {
                if (!request.HasFormContentType) return NoArchive.ToProblem();
                IFormCollection form;
                try { form = await request.ReadFormAsync(ct); }
                catch (InvalidDataException) { return NoArchive.ToProblem(); }
                if (form.Files.GetFile("archive") is not { Length: > 0 } file) return NoArchive.ToProblem();
                var passphrase = form["passphrase"].ToString() is { Length: > 0 } p ? p : null;
                await using var upload = file.OpenReadStream();
                return (await runs.ImportAsync(upload, passphrase, Actors.From(http), ct)).ToHttp(TypedResults.Ok);
            })
            .WithTags("Certificate authority")
            .WithMetadata(new RequestSizeLimitAttribute(PkiArchive.MaxUploadBytes + 1024 * 1024))
            .Produces<ImportReport>()
            .RequireAuthorization(Permissions.CaManage)
            .WithSummary("Imports an easy-rsa 3 PKI into a portal without a CA (409 otherwise): multipart `archive` (.tar.gz or .zip of pki/, at most 50 MB) " +
                "and optional `passphrase`; returns what was imported and what was skipped and why. A wrong passphrase or a refused archive is a 400 and stores nothing.");
        return api;
    }
}
