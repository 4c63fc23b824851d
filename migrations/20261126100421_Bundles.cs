using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Bundles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "vpn_profiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RemoteHosts = table.Column<string[]>(type: "text[]", nullable: false),
                    Port = table.Column<int>(type: "integer", nullable: false),
                    Protocol = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    DataCiphers = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ServerNetwork = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    PushRoutes = table.Column<string[]>(type: "text[]", nullable: false),
                    PushDns = table.Column<string[]>(type: "text[]", nullable: false),
                    ClientDirectives = table.Column<string[]>(type: "text[]", nullable: false),
                    EncryptedTlsCryptKey = table.Column<byte[]>(type: "bytea", nullable: false),
                    ServerCertificateId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vpn_profiles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_vpn_profiles_certificates_ServerCertificateId",
                        column: x => x.ServerCertificateId,
                        principalTable: "certificates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "download_links",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    VpnUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    Platform = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UsedFrom = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    UsedSerial = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RevokedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    EmailedTo = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_download_links", x => x.Id);
                    table.ForeignKey(
                        name: "FK_download_links_vpn_profiles_ProfileId",
                        column: x => x.ProfileId,
                        principalTable: "vpn_profiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_download_links_vpn_users_VpnUserId",
                        column: x => x.VpnUserId,
                        principalTable: "vpn_users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_download_links_ProfileId",
                table: "download_links",
                column: "ProfileId");

            migrationBuilder.CreateIndex(
                name: "IX_download_links_TokenHash",
                table: "download_links",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_download_links_VpnUserId_CreatedAt",
                table: "download_links",
                columns: new[] { "VpnUserId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_vpn_profiles_Name",
                table: "vpn_profiles",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_vpn_profiles_ServerCertificateId",
                table: "vpn_profiles",
                column: "ServerCertificateId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "download_links");

            migrationBuilder.DropTable(
                name: "vpn_profiles");
        }
    }
}
