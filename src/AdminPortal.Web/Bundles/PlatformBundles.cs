using System.IO.Compression;
using System.Text;

namespace AdminPortal.Web.Bundles;

public sealed record BundleFile(string FileName, string ContentType, byte[] Content)
{
    /// <summary>The Content-Disposition of the download (attachment, with the name as filename and filename*).</summary>
    public string Disposition
    {
        get
        {
            if (field is null)
            {
                var cd = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
                cd.SetHttpFileName(FileName);
                field = cd.ToString();
            }
            return field;
        }
        init;
    }
}

/// <summary>What the end user's README needs to know.</summary>
public sealed record BundleFacts(string UserName, string ProfileName, string Server, DateTimeOffset CertificateExpires, string HelpdeskContact, bool KeyHasPassphrase);

/// <summary>
/// Per-platform bundles around one unified profile: the bare <c>.ovpn</c>, or a zip with the files each client
/// app imports and a short plain-language README for the person who will use it.
/// </summary>
public static class PlatformBundles
{
    public static readonly string[] Platforms = ["ovpn", "windows", "macos", "linux", "ios", "android"];

    /// <summary>The device in words, for people.</summary>
    public static string Label(string platform) => platform switch
    {
        "windows" => "Windows",
        "macos" => "macOS",
        "linux" => "Linux",
        "ios" => "iPhone and iPad",
        "android" => "Android",
        _ => "the OpenVPN app",
    };

    public static bool IsPlatform(string? p) => p is not null && Platforms.Contains(p);

    public static BundleFile Build(string platform, string ovpn, BundleFacts facts)
    {
        var baseName = $"{facts.ProfileName}-{facts.UserName}".Replace('@', '_');
        var profile = Encoding.UTF8.GetBytes(ovpn);
        if (platform == "ovpn") return new BundleFile($"{baseName}.ovpn", "application/x-openvpn-profile", profile);
        var files = platform switch
        {
            "windows" => new Dictionary<string, byte[]> { [$"{baseName}.ovpn"] = profile },
            "macos" => new Dictionary<string, byte[]> { [$"{baseName}.tblk/{baseName}.ovpn"] = profile, [$"{baseName}.ovpn"] = profile },
            "linux" => new Dictionary<string, byte[]> { [$"{baseName}.conf"] = profile, [$"{baseName}.ovpn"] = profile },
            "ios" or "android" => new Dictionary<string, byte[]> { [$"{baseName}.ovpn"] = profile },
            _ => throw new ArgumentOutOfRangeException(nameof(platform), platform, "Unknown platform."),
        };
        files["README.txt"] = Encoding.UTF8.GetBytes(Readme(platform, baseName, facts));
        return new BundleFile($"{baseName}-{platform}.zip", "application/zip", Zip(files));
    }

    public static string Readme(string platform, string baseName, BundleFacts f)
    {
        var steps = platform switch
        {
            "windows" => $"""
                Option A, OpenVPN GUI (https://openvpn.net/community-downloads/):
                  1. Install OpenVPN for Windows and start "OpenVPN GUI"; an icon appears next to the clock.
                  2. Right-click the icon, choose "Import file...", and pick {baseName}.ovpn from this folder.
                  3. Right-click the icon again and choose "Connect".
                Option B, OpenVPN Connect (https://openvpn.net/client/):
                  1. Install and open OpenVPN Connect.
                  2. Choose "Upload file" and drop {baseName}.ovpn into the window, then "Connect".
                """,
            "macos" => $"""
                Option A, Tunnelblick (https://tunnelblick.net/):
                  1. Install Tunnelblick.
                  2. Double-click {baseName}.tblk in this folder; Tunnelblick asks whether to install it for you alone.
                  3. Click the Tunnelblick icon in the menu bar and choose "Connect {baseName}".
                Option B, OpenVPN Connect (https://openvpn.net/client/):
                  1. Install and open OpenVPN Connect.
                  2. Choose "Upload file" and drop {baseName}.ovpn into the window, then "Connect".
                """,
            "linux" => $"""
                Option A, the openvpn client:
                  1. sudo apt install openvpn    (or your distribution's package)
                  2. sudo install -m 600 {baseName}.conf /etc/openvpn/client/{baseName}.conf
                  3. sudo systemctl start openvpn-client@{baseName}
                Option B, NetworkManager (desktop):
                  1. sudo apt install network-manager-openvpn-gnome
                  2. nmcli connection import type openvpn file {baseName}.ovpn
                  3. Turn the VPN on from the network menu.
                """,
            _ => $"""
                1. Install "OpenVPN Connect" from the {(platform == "ios" ? "App Store" : "Google Play Store")}.
                2. Open {baseName}.ovpn on the phone (from the email or the download page) and choose
                   "Open in OpenVPN Connect", or in the app tap "Import profile" > "File".
                3. Tap "Add", then switch the profile on.
                """,
        };
        return $"""
            Your VPN access: {f.ProfileName}
            ================================

            This folder connects {f.UserName} to the VPN "{f.ProfileName}" (server {f.Server}).
            Your certificate is valid until {f.CertificateExpires:yyyy-MM-dd}; you will get a new one before then.

            How to set it up:
            {steps}
            {(f.KeyHasPassphrase ? "When the app asks for a password or passphrase, type the one you were given with this file.\n" : "")}
            Keep these files to yourself: they are your personal key to the network. Do not send them on.
            If something does not work, or if you lose this device, contact {f.HelpdeskContact} at once.
            """.Replace("\r\n", "\n");
    }

    /// <summary>A zip whose entries are readable by their owner only (they hold keys).</summary>
    public static byte[] Zip(IReadOnlyDictionary<string, byte[]> files)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                entry.ExternalAttributes = (int)(UnixFileMode.UserRead | UnixFileMode.UserWrite) << 16; // keys: owner only
                using var s = entry.Open();
                s.Write(content);
            }
        }
        return ms.ToArray();
    }
}
