using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Hosts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "action_runs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ParametersJson = table.Column<string>(type: "jsonb", nullable: false),
                    TargetGroup = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_action_runs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ssh_credentials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PublicKey = table.Column<string>(type: "character varying(16384)", maxLength: 16384, nullable: false),
                    KeyType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Imported = table.Column<bool>(type: "boolean", nullable: false),
                    EncryptedPrivateKey = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ssh_credentials", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "run_host_results",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RunId = table.Column<Guid>(type: "uuid", nullable: false),
                    HostName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ExitCode = table.Column<int>(type: "integer", nullable: true),
                    Message = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    Output = table.Column<string>(type: "text", nullable: false),
                    OutputBytes = table.Column<long>(type: "bigint", nullable: false),
                    Truncated = table.Column<bool>(type: "boolean", nullable: false),
                    OutputSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_host_results", x => x.Id);
                    table.ForeignKey(
                        name: "FK_run_host_results_action_runs_RunId",
                        column: x => x.RunId,
                        principalTable: "action_runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "hosts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Address = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Port = table.Column<int>(type: "integer", nullable: false),
                    User = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CredentialId = table.Column<Guid>(type: "uuid", nullable: false),
                    Groups = table.Column<List<string>>(type: "text[]", nullable: false),
                    AllowedServices = table.Column<List<string>>(type: "text[]", nullable: false),
                    TrustedFingerprint = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    PresentedFingerprint = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    HostKeyAlgorithm = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    MismatchFingerprint = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    MismatchAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastContactAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hosts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_hosts_ssh_credentials_CredentialId",
                        column: x => x.CredentialId,
                        principalTable: "ssh_credentials",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_action_runs_CreatedAt",
                table: "action_runs",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_hosts_CredentialId",
                table: "hosts",
                column: "CredentialId");

            migrationBuilder.CreateIndex(
                name: "IX_hosts_Name",
                table: "hosts",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_run_host_results_HostName",
                table: "run_host_results",
                column: "HostName");

            migrationBuilder.CreateIndex(
                name: "IX_run_host_results_RunId_HostName",
                table: "run_host_results",
                columns: new[] { "RunId", "HostName" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ssh_credentials_Name",
                table: "ssh_credentials",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "hosts");

            migrationBuilder.DropTable(
                name: "run_host_results");

            migrationBuilder.DropTable(
                name: "ssh_credentials");

            migrationBuilder.DropTable(
                name: "action_runs");
        }
    }
}
