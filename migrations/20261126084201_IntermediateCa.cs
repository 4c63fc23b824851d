using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class IntermediateCa : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ParentId",
                table: "certificate_authorities",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_certificate_authorities_ParentId",
                table: "certificate_authorities",
                column: "ParentId",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_certificate_authorities_certificate_authorities_ParentId",
                table: "certificate_authorities",
                column: "ParentId",
                principalTable: "certificate_authorities",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_certificate_authorities_certificate_authorities_ParentId",
                table: "certificate_authorities");

            migrationBuilder.DropIndex(
                name: "IX_certificate_authorities_ParentId",
                table: "certificate_authorities");

            migrationBuilder.DropColumn(
                name: "ParentId",
                table: "certificate_authorities");
        }
    }
}
