using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data.Audit;

namespace AdminPortal.UnitTests.Audit;

/// <summary>The canonical encoding, written out field by field as documented: chains already stored must keep verifying.</summary>
public sealed class AuditHasherTests
{
    [Theory]
    [InlineData("operator:zoë@example.test", "Admin", "bundle.downloaded", "vpn-user:dana", """{"serial":"0A1B"}""", null, "success")]
    [InlineData("", "", "", "", "{}", "2001:db8::1", "")]
    [InlineData("token:helpdesk", "Helpdesk", "x", "ünïcödé ✓ 𝄞", "LONG", "127.0.0.1", "failure")]
    public void The_hash_is_SHA256_over_the_previous_hash_the_numbers_and_each_field_with_its_length(
        string actor, string role, string action, string target, string details, string? address, string outcome)
    {
        if (details == "LONG") details = "{\"note\":\"" + new string('é', 3000) + "\"}"; // past the stack buffer
        var prev = RandomNumberGenerator.GetBytes(32);
        var at = AuditHasher.Truncate(new DateTimeOffset(2026, 11, 26, 17, 0, 0, TimeSpan.Zero).AddTicks(1234567));

        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(prev);
        var num = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(num, 4242);
        h.AppendData(num);
        BinaryPrimitives.WriteInt64BigEndian(num, (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        h.AppendData(num);
        foreach (var field in new[] { actor, role, action, target, details, address, outcome })
        {
            var len = new byte[4];
            if (field is null) { BinaryPrimitives.WriteUInt32BigEndian(len, uint.MaxValue); h.AppendData(len); continue; }
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteUInt32BigEndian(len, (uint)bytes.Length);
            h.AppendData(len);
            h.AppendData(bytes);
        }

        Assert.Equal(h.GetHashAndReset(), AuditHasher.Compute(prev, 4242, at, actor, role, action, target, details, address, outcome));
    }

    /// <summary>
    /// One fixed row, its canonical field bytes and its hash, as a golden file: a change to the encoding (field order, length
    /// prefix, null marker, time unit) changes the hash of every row already stored, so it must show up as a reviewed diff.
    /// </summary>
    [Fact]
    public void A_fixed_row_has_a_fixed_canonical_form_and_hash()
    {
        var prev = Enumerable.Range(0, AuditHasher.HashSize).Select(i => (byte)i).ToArray();
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6789012); // .6789012: truncated to whole microseconds
        (string Actor, string Role, string Action, string Target, string Details, string? Address, string Outcome) row =
            ("operator:zoë@example.test", "Admin", "pki.certificate.revoked", "vpn-user:dana", """{"serial":"0a1b","reason":"keyCompromise"}""", null, "success");
        var fields = new byte[AuditHasher.FieldsSize(row.Actor, row.Role, row.Action, row.Target, row.Details, row.Address, row.Outcome)];
        var written = AuditHasher.WriteFields(fields, row.Actor, row.Role, row.Action, row.Target, row.Details, row.Address, row.Outcome);
        var hash = AuditHasher.Compute(prev, 42, AuditHasher.Truncate(at), row.Actor, row.Role, row.Action, row.Target, row.Details, row.Address, row.Outcome);
        var fromFields = new byte[AuditHasher.HashSize];
        AuditHasher.Compute(prev, 42, AuditHasher.Truncate(at), fields, fromFields);

        Assert.Equal(fields.Length, written);
        Assert.Equal(hash, fromFields);
        Golden.Assert("audit-canonical-form", $"fields {Convert.ToHexStringLower(fields)}\nhash {AuditHasher.ToHex(hash)}\n");
    }

    [Fact]
    public void Time_is_truncated_to_whole_microseconds_as_PostgreSQL_stores_it() =>
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6789010),
            AuditHasher.Truncate(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddHours(2).AddTicks(6789019)));
}
