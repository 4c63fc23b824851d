using Microsoft.JSInterop;

namespace AdminPortal.Web.Bundles;

/// <summary>Hands a file to the operator's browser over the circuit (wwwroot/js/downloads.js).</summary>
public static class BrowserDownloads
{
    public static async Task SaveAsync(this IJSRuntime js, BundleFile file, CancellationToken ct)
    {
        using var stream = new DotNetStreamReference(new MemoryStream(file.Content));
        await js.InvokeVoidAsync("adminPortal.download", ct, file.FileName, file.ContentType, stream);
    }
}
