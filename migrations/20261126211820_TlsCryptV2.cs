using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class TlsCryptV2 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ControlChannel",
                table: "vpn_profiles",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "tls-crypt"); // existing profiles keep their shared tls-crypt key
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ControlChannel",
                table: "vpn_profiles");
        }
    }
}
