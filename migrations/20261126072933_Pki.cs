using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Pki : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "certificate_authorities",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    KeyAlgorithm = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CertificatePem = table.Column<string>(type: "text", nullable: false),
                    EncryptedKey = table.Column<byte[]>(type: "bytea", nullable: false),
                    Serial = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Sha256Fingerprint = table.Column<string>(type: "character varying(95)", maxLength: 95, nullable: false),
                    NotBefore = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NotAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CrlNumber = table.Column<long>(type: "bigint", nullable: false),
                    CrlLifetimeDays = table.Column<int>(type: "integer", nullable: false),
                    CrlDer = table.Column<byte[]>(type: "bytea", nullable: true),
                    CrlThisUpdate = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CrlNextUpdate = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CrlEntries = table.Column<int>(type: "integer", nullable: false),
                    CrlLastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_certificate_authorities", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "vpn_users",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vpn_users", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "certificates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CaId = table.Column<Guid>(type: "uuid", nullable: false),
                    Serial = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CommonName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    VpnUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    Profile = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CertificatePem = table.Column<string>(type: "text", nullable: false),
                    EncryptedKey = table.Column<byte[]>(type: "bytea", nullable: true),
                    KeyAlgorithm = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    NotBefore = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NotAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevocationReason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    RevokedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    IssuedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_certificates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_certificates_certificate_authorities_CaId",
                        column: x => x.CaId,
                        principalTable: "certificate_authorities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_certificates_vpn_users_VpnUserId",
                        column: x => x.VpnUserId,
                        principalTable: "vpn_users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_certificates_CaId_Serial",
                table: "certificates",
                columns: new[] { "CaId", "Serial" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_certificates_NotAfter",
                table: "certificates",
                column: "NotAfter");

            migrationBuilder.CreateIndex(
                name: "IX_certificates_VpnUserId_Profile",
                table: "certificates",
                columns: new[] { "VpnUserId", "Profile" },
                unique: true,
                filter: "\"Status\" = 'active' AND \"VpnUserId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_vpn_users_Name",
                table: "vpn_users",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "certificates");

            migrationBuilder.DropTable(
                name: "certificate_authorities");

            migrationBuilder.DropTable(
                name: "vpn_users");
        }
    }
}
