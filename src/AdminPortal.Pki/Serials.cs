using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace AdminPortal.Pki;

/// <summary>Serial numbers: 128 random bits as a positive integer (RFC 5280: positive, at most 20 octets, unpredictable).</summary>
public static class Serials
{
    private static readonly SecureRandom Random = new();

    public static BigInteger New()
    {
        var bytes = new byte[16];
        Random.NextBytes(bytes);
        var serial = new BigInteger(1, bytes);
        return serial.SignValue == 0 ? New() : serial;
    }

    /// <summary>Lower-case hex without leading zeros, as OpenSSL prints it (and easy-rsa's index.txt, upper-cased).</summary>
    public static string ToHex(BigInteger serial) => serial.ToString(16).ToLowerInvariant();

    public static BigInteger FromHex(string hex) => new(hex, 16);
}
