using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class VpnCrlAndClientConfigs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CrlPushedAt",
                table: "vpn_servers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "vpn_client_configs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VpnUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    StaticAddress = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: true),
                    Routes = table.Column<string[]>(type: "text[]", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vpn_client_configs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_vpn_client_configs_vpn_profiles_ProfileId",
                        column: x => x.ProfileId,
                        principalTable: "vpn_profiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_vpn_client_configs_vpn_users_VpnUserId",
                        column: x => x.VpnUserId,
                        principalTable: "vpn_users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_vpn_client_configs_ProfileId_StaticAddress",
                table: "vpn_client_configs",
                columns: new[] { "ProfileId", "StaticAddress" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_vpn_client_configs_VpnUserId_ProfileId",
                table: "vpn_client_configs",
                columns: new[] { "VpnUserId", "ProfileId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "vpn_client_configs");

            migrationBuilder.DropColumn(
                name: "CrlPushedAt",
                table: "vpn_servers");
        }
    }
}
