using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class VpnServers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "vpn_servers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    HostId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConfigDir = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    RunMode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ServiceName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    NetNamespace = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    ManagementSocket = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    RunAsUser = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    RunAsGroup = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ServerDirectives = table.Column<string[]>(type: "text[]", nullable: false),
                    LastPublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastPublishRunId = table.Column<Guid>(type: "uuid", nullable: true),
                    DeployedCrlNumber = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    DeployedCrlNextUpdate = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CrlCheckedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CrlStatus = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    CrlError = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vpn_servers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_vpn_servers_hosts_HostId",
                        column: x => x.HostId,
                        principalTable: "hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_vpn_servers_vpn_profiles_ProfileId",
                        column: x => x.ProfileId,
                        principalTable: "vpn_profiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_vpn_servers_HostId",
                table: "vpn_servers",
                column: "HostId");

            migrationBuilder.CreateIndex(
                name: "IX_vpn_servers_Name",
                table: "vpn_servers",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_vpn_servers_ProfileId",
                table: "vpn_servers",
                column: "ProfileId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "vpn_servers");
        }
    }
}
