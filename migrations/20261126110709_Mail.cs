using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Mail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "mail_hosts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    HostId = table.Column<Guid>(type: "uuid", nullable: false),
                    Backend = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    PasswdFile = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    PasswordScheme = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    QuotaRule = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    Uid = table.Column<int>(type: "integer", nullable: true),
                    Gid = table.Column<int>(type: "integer", nullable: true),
                    HomeTemplate = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    AoxPath = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mail_hosts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_mail_hosts_hosts_HostId",
                        column: x => x.HostId,
                        principalTable: "hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "mailboxes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MailHostId = table.Column<Guid>(type: "uuid", nullable: false),
                    Address = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    DisplayName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    QuotaMb = table.Column<int>(type: "integer", nullable: true),
                    Disabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PasswordChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mailboxes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_mailboxes_mail_hosts_MailHostId",
                        column: x => x.MailHostId,
                        principalTable: "mail_hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_mail_hosts_HostId",
                table: "mail_hosts",
                column: "HostId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_mailboxes_Address",
                table: "mailboxes",
                column: "Address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_mailboxes_MailHostId",
                table: "mailboxes",
                column: "MailHostId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "mailboxes");

            migrationBuilder.DropTable(
                name: "mail_hosts");
        }
    }
}
