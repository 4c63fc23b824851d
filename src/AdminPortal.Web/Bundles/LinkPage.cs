using System.Text.Encodings.Web;
using QRCoder;

namespace AdminPortal.Web.Bundles;

/// <summary>
/// The public page behind a one-time link, for a person who is not an operator: plain HTML, no script, every
/// value encoded. Showing it does not use the link up; the download button (or OpenVPN Connect's import) does.
/// </summary>
public static class LinkPage
{
    public static string Qr(string text)
    {
        using var qr = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(qr).GetGraphic(4));
    }

    /// <summary>OpenVPN Connect (iOS, Android, desktop) imports a profile from an https address given this way.</summary>
    public static string ConnectImportUrl(string pageUrl) => $"openvpn://import-profile/{pageUrl}/profile.ovpn";

    public static string Ready(LinkPageInfo info, string pageUrl, string helpdesk, string? error = null)
    {
        var e = HtmlEncoder.Default;
        var what = info.Platform == "ovpn" ? "(OpenVPN profile)" : $"for {PlatformBundles.Label(info.Platform)}";
        return Layout("Your VPN profile", $"""
            <h1>Your VPN profile</h1>
            <p>For <b>{e.Encode(info.UserName)}</b>: VPN <b>{e.Encode(info.Profile)}</b> {e.Encode(what)}.</p>
            <p class="note">This link works <b>once</b> and until {info.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Download on the device that will use the VPN.</p>
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{e.Encode(error)}</p>")}
            <form method="post">
              <label for="passphrase">Protect the key with a passphrase (optional, 8 characters or more; the VPN app will ask for it):</label>
              <input id="passphrase" name="passphrase" type="password" autocomplete="new-password" minlength="8" maxlength="256">
              <button type="submit">Download</button>
            </form>
            <h2>On a phone</h2>
            <p>Install <b>OpenVPN Connect</b>, then scan this code with the phone's camera, or on the phone tap
               <a href="{e.Encode(ConnectImportUrl(pageUrl))}">Open in OpenVPN Connect</a>.</p>
            <img alt="QR code of this page" src="{Qr(pageUrl)}" width="200" height="200">
            <p class="note">Questions? Contact {e.Encode(helpdesk)}.</p>
            """);
    }

    public static string Gone(string message, string helpdesk) => Layout("Link no longer valid", $"""
        <h1>This link no longer works</h1>
        <p>{HtmlEncoder.Default.Encode(message)}</p>
        <p class="note">Contact {HtmlEncoder.Default.Encode(helpdesk)}.</p>
        """);

    public static string NotFound(string helpdesk) => Layout("Link not found", $"""
        <h1>Link not found</h1>
        <p>This download link does not exist. Check that you copied all of it, or ask {HtmlEncoder.Default.Encode(helpdesk)} for a new one.</p>
        """);

    public static string TooMany(int seconds) => Layout("Too many attempts", $"""
        <h1>Too many attempts</h1>
        <p>Too many wrong links were tried from your address. Try again in {seconds} seconds.</p>
        """);

    private static string Layout(string title, string body) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{{title}} · AdminPortal</title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; line-height: 1.5 }
          h1 { font-size: 1.5rem } h2 { font-size: 1.1rem; margin-top: 2rem }
          label, input, button { display: block; width: 100%; margin: .4rem 0; font-size: 1rem }
          input { padding: .5rem; box-sizing: border-box }
          button { padding: .7rem; background: #1565c0; color: #fff; border: 0; border-radius: 4px; cursor: pointer }
          .note { color: #555; font-size: .9rem } .error { color: #b00020 }
        </style></head>
        <body><main>{{body}}</main></body></html>
        """;
}
