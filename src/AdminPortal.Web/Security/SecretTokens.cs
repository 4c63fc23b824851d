using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Web.Security;

/// <summary>The portal's bearer secrets (API tokens, setup links, download links): 256 random bits, URL-safe, stored only as SHA-256.</summary>
public static class SecretTokens
{
    /// <summary>43 characters of base64url (no padding).</summary>
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
