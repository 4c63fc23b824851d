namespace AdminPortal.Pki;

/// <summary>
/// The DER of a CRL's revokedCertificates (SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time,
/// crlEntryExtensions OPTIONAL }), written byte by byte into one buffer: every entry has the same small shape, and
/// AsnWriter's push/pop per entry was most of the cost of a 100,000-entry CRL. PkiEngineTests and the benchmark
/// check the result with OpenSSL.
/// </summary>
internal static class RevokedList
{
    public static byte[] Encode(IReadOnlyCollection<RevokedEntry> entries, Func<RevocationReason, byte[]> extensionsOf)
    {
        var body = new byte[entries.Count * 64 + 64];
        var n = 0;
        foreach (var e in entries)
        {
            var serial = e.Serial.ToByteArray(); // two's complement, minimal: what DER INTEGER wants
            var extensions = e.Reason == RevocationReason.Unspecified ? [] : extensionsOf(e.Reason);
            var utc = e.RevokedAt.ToUniversalTime();
            var timeLength = utc.Year < 2050 ? 15 : 17; // UTCTime through 2049, GeneralizedTime after (RFC 5280 5.1.2.4)
            var content = 1 + LengthSize(serial.Length) + serial.Length + timeLength + extensions.Length;
            var total = 1 + LengthSize(content) + content;
            if (n + total > body.Length) Array.Resize(ref body, Math.Max(body.Length * 2, n + total));
            body[n++] = 0x30;
            n = WriteLength(body, n, content);
            body[n++] = 0x02;
            n = WriteLength(body, n, serial.Length);
            serial.CopyTo(body, n);
            n += serial.Length;
            n = WriteTime(body, n, utc);
            extensions.CopyTo(body, n);
            n += extensions.Length;
        }
        var der = new byte[1 + LengthSize(n) + n];
        der[0] = 0x30;
        var start = WriteLength(der, 1, n);
        body.AsSpan(0, n).CopyTo(der.AsSpan(start));
        return der;
    }

    private static int LengthSize(int length) => length < 0x80 ? 1 : length <= 0xFF ? 2 : length <= 0xFFFF ? 3 : length <= 0xFFFFFF ? 4 : 5;

    private static int WriteLength(byte[] b, int at, int length)
    {
        var size = LengthSize(length);
        if (size == 1)
        {
            b[at] = (byte)length;
            return at + 1;
        }
        b[at] = (byte)(0x80 | (size - 1));
        for (var i = size - 1; i >= 1; i--, length >>= 8) b[at + i] = (byte)length;
        return at + size;
    }

    /// <summary>UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, whole seconds.</summary>
    private static int WriteTime(byte[] b, int at, DateTimeOffset utc)
    {
        var generalized = utc.Year >= 2050;
        b[at++] = generalized ? (byte)0x18 : (byte)0x17;
        b[at++] = generalized ? (byte)15 : (byte)13;
        if (generalized) at = Two(b, at, utc.Year / 100);
        at = Two(b, at, utc.Year % 100);
        at = Two(b, at, utc.Month);
        at = Two(b, at, utc.Day);
        at = Two(b, at, utc.Hour);
        at = Two(b, at, utc.Minute);
        at = Two(b, at, utc.Second);
        b[at++] = (byte)'Z';
        return at;
    }

    private static int Two(byte[] b, int at, int value)
    {
        b[at] = (byte)('0' + value / 10);
        b[at + 1] = (byte)('0' + value % 10);
        return at + 2;
    }
}
