using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Pki;

/// <summary>
/// OpenVPN's tls-crypt-v2 keys, made without the openvpn binary, in the formats OpenVPN 2.5+ reads
/// (src/openvpn/tls_crypt.c, tls_crypt.h and doc/tls-crypt-v2.txt of OpenVPN):
/// <list type="bullet">
/// <item>The server key: 128 random bytes (a <c>struct key</c>: 64 bytes of cipher key, then 64 of HMAC key), PEM-armoured as
/// <c>OpenVPN tls-crypt-v2 server key</c>. AES-256-CTR uses the first 32 cipher bytes (Ke), HMAC-SHA256 the first 32 HMAC bytes (Ka).</item>
/// <item>A client key: Kc (256 random bytes, a <c>struct key2</c>'s two keys) followed by WKc, PEM-armoured as
/// <c>OpenVPN tls-crypt-v2 client key</c>, where <c>WKc = T || AES-256-CTR(Ke, IV = T[0..16], Kc || metadata) || len</c>,
/// <c>T = HMAC-SHA256(Ka, len || Kc || metadata)</c> and <c>len</c> is WKc's own length, 16-bit big-endian.</item>
/// <item>Metadata: a type byte (0 user-defined data, 1 a 64-bit big-endian Unix timestamp), then the data; at most 734 bytes
/// with the type byte (TLS_CRYPT_V2_MAX_WKC_LEN 1024 minus Kc, tag and length).</item>
/// </list>
/// Every client key wraps a fresh Kc: two client keys of one server never share their control-channel key.
/// </summary>
public static class TlsCryptV2
{
    public const string ServerPemName = "OpenVPN tls-crypt-v2 server key";
    public const string ClientPemName = "OpenVPN tls-crypt-v2 client key";
    public const byte MetadataUser = 0x00;
    public const byte MetadataTimestamp = 0x01;
    public const int ServerKeyLength = 128;
    public const int ClientKeyLength = 256;
    public const int TagLength = 32;
    public const int MaxMetadataLength = 1024 - (ClientKeyLength + TagLength + sizeof(ushort));

    /// <summary>A new server key (what <c>openvpn --genkey tls-crypt-v2-server</c> writes).</summary>
    public static string NewServerKey()
    {
        var key = RandomNumberGenerator.GetBytes(ServerKeyLength);
        try { return Pem(ServerPemName, key); }
        finally { CryptographicOperations.ZeroMemory(key); }
    }

    /// <summary>User-defined metadata (type 0) holding the ASCII text given, e.g. the client certificate's serial.</summary>
    public static byte[] UserMetadata(string text) => [MetadataUser, .. Encoding.ASCII.GetBytes(text)];

    /// <summary>Timestamp metadata (type 1), what openvpn itself writes by default and what <c>--tls-crypt-v2-max-age</c> checks.</summary>
    public static byte[] TimestampMetadata(DateTimeOffset when)
    {
        var m = new byte[9];
        m[0] = MetadataTimestamp;
        BinaryPrimitives.WriteInt64BigEndian(m.AsSpan(1), when.ToUnixTimeSeconds());
        return m;
    }

    /// <summary>A new client key wrapped by the server key (what <c>openvpn --tls-crypt-v2 SERVER --genkey tls-crypt-v2-client</c> writes).</summary>
    public static string NewClientKey(string serverKeyPem, ReadOnlySpan<byte> metadata)
    {
        if (metadata.Length is 0 or > MaxMetadataLength)
            throw new ArgumentOutOfRangeException(nameof(metadata), $"Metadata is a type byte and at most {MaxMetadataLength - 1} bytes of data.");
        var server = ReadPem(serverKeyPem, ServerPemName);
        var plain = new byte[ClientKeyLength + metadata.Length]; // Kc || metadata
        var output = new byte[ClientKeyLength + TagLength + plain.Length + sizeof(ushort)]; // Kc || WKc
        try
        {
            if (server.Length != ServerKeyLength) throw new FormatException($"A tls-crypt-v2 server key is {ServerKeyLength} bytes, not {server.Length}.");
            RandomNumberGenerator.Fill(plain.AsSpan(0, ClientKeyLength));
            metadata.CopyTo(plain.AsSpan(ClientKeyLength));
            var wkc = output.AsSpan(ClientKeyLength);
            var lenBytes = wkc[^sizeof(ushort)..];
            BinaryPrimitives.WriteUInt16BigEndian(lenBytes, (ushort)wkc.Length);

            var tag = wkc[..TagLength];
            using (var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, server.AsSpan(64, 32)))
            {
                hmac.AppendData(lenBytes);
                hmac.AppendData(plain);
                hmac.GetHashAndReset(tag);
            }
            AesCtr(server.AsSpan(0, 32), tag[..16], plain, wkc.Slice(TagLength, plain.Length));
            plain.AsSpan(0, ClientKeyLength).CopyTo(output);
            return Pem(ClientPemName, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(server);
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(output);
        }
    }

    /// <summary>
    /// What a server does with a client key: unwraps WKc with the server key and checks its tag. Returns the client's
    /// Kc as the server sees it (must equal the key's first 256 bytes) and the metadata; throws when the key is not valid.
    /// </summary>
    public static (byte[] ClientKey, byte[] Metadata) Unwrap(string serverKeyPem, string clientKeyPem)
    {
        var server = ReadPem(serverKeyPem, ServerPemName);
        var client = ReadPem(clientKeyPem, ClientPemName);
        try
        {
            if (client.Length < ClientKeyLength + TagLength + 1 + sizeof(ushort)) throw new FormatException("The client key is too short.");
            var wkc = client.AsSpan(ClientKeyLength);
            if (BinaryPrimitives.ReadUInt16BigEndian(wkc[^sizeof(ushort)..]) != wkc.Length) throw new FormatException("The wrapped key's length is wrong.");
            var tag = wkc[..TagLength];
            var plain = new byte[wkc.Length - TagLength - sizeof(ushort)];
            AesCtr(server.AsSpan(0, 32), tag[..16], wkc.Slice(TagLength, plain.Length), plain);
            Span<byte> check = stackalloc byte[TagLength];
            using (var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, server.AsSpan(64, 32)))
            {
                hmac.AppendData(wkc[^sizeof(ushort)..]);
                hmac.AppendData(plain);
                hmac.GetHashAndReset(check);
            }
            if (!CryptographicOperations.FixedTimeEquals(check, tag)) throw new CryptographicException("The client key was not wrapped by this server key.");
            if (!plain.AsSpan(0, ClientKeyLength).SequenceEqual(client.AsSpan(0, ClientKeyLength))) throw new CryptographicException("Kc differs from the wrapped Kc.");
            return (plain[..ClientKeyLength], plain[ClientKeyLength..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(server);
            CryptographicOperations.ZeroMemory(client);
        }
    }

    /// <summary>AES-256-CTR as OpenSSL does it: the IV is a 128-bit big-endian counter incremented per block.</summary>
    private static void AesCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        Span<byte> counter = stackalloc byte[16];
        Span<byte> stream = stackalloc byte[16];
        iv.CopyTo(counter);
        for (var offset = 0; offset < input.Length; offset += 16)
        {
            aes.EncryptEcb(counter, stream, PaddingMode.None);
            var n = Math.Min(16, input.Length - offset);
            for (var i = 0; i < n; i++) output[offset + i] = (byte)(input[offset + i] ^ stream[i]);
            for (var i = 15; i >= 0 && ++counter[i] == 0; i--) { }
        }
        CryptographicOperations.ZeroMemory(stream);
    }

    /// <summary>PEM as OpenSSL's PEM_write_bio writes it: base64 in lines of 64 characters.</summary>
    private static string Pem(string name, byte[] data)
    {
        var b64 = Convert.ToBase64String(data);
        var sb = new StringBuilder($"-----BEGIN {name}-----\n");
        for (var i = 0; i < b64.Length; i += 64) sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
        return sb.Append($"-----END {name}-----\n").ToString();
    }

    private static byte[] ReadPem(string pem, string name)
    {
        var begin = $"-----BEGIN {name}-----";
        var end = $"-----END {name}-----";
        var from = pem.IndexOf(begin, StringComparison.Ordinal);
        var to = pem.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from) throw new FormatException($"Not an {name}.");
        var body = pem[(from + begin.Length)..to];
        return Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c))));
    }
}
