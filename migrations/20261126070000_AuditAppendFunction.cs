using AdminPortal.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminPortal.Migrations.Migrations
{
    /// <summary>
    /// <c>audit_append</c>: locks the chain head, hashes, inserts the event and moves the head in one statement,
    /// so a writer holds the chain lock for one round trip (plus its commit) instead of three. The hash is the
    /// one <c>AuditHasher</c> defines (and the verifier recomputes): SHA-256 over the previous hash, the
    /// sequence and the time in microseconds as big-endian int64, then each field as a big-endian 4-byte length
    /// and its UTF-8 bytes (null as 0xFFFFFFFF). No model change, hence no designer snapshot change.
    /// </summary>
    [DbContext(typeof(PortalDbContext))]
    [Migration("20261126070000_AuditAppendFunction")]
    public partial class AuditAppendFunction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_hash_field(v text) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
                  SELECT CASE WHEN v IS NULL THEN '\xffffffff'::bytea
                              ELSE int4send(octet_length(convert_to(v, 'UTF8'))) || convert_to(v, 'UTF8') END
                $f$;

                CREATE FUNCTION audit_append(
                  p_occurred_at timestamptz, p_actor text, p_actor_role text, p_action text, p_target text,
                  p_details text, p_client_address text, p_outcome text) RETURNS bigint LANGUAGE plpgsql AS $f$
                DECLARE
                  v_seq bigint;
                  v_prev bytea;
                  v_hash bytea;
                BEGIN
                  SELECT sequence + 1, hash INTO v_seq, v_prev FROM audit_chain_head WHERE id = 1 FOR UPDATE;
                  IF NOT FOUND THEN RAISE EXCEPTION 'The audit chain head row is missing.'; END IF;
                  v_hash := sha256(v_prev || int8send(v_seq) || int8send((EXTRACT(EPOCH FROM p_occurred_at) * 1000000)::bigint)
                    || audit_hash_field(p_actor) || audit_hash_field(p_actor_role) || audit_hash_field(p_action)
                    || audit_hash_field(p_target) || audit_hash_field(p_details) || audit_hash_field(p_client_address)
                    || audit_hash_field(p_outcome));
                  INSERT INTO audit_events (sequence, occurred_at, actor, actor_role, action, target, details, client_address, outcome, prev_hash, hash)
                    VALUES (v_seq, p_occurred_at, p_actor, p_actor_role, p_action, p_target, p_details::json, p_client_address, p_outcome, v_prev, v_hash);
                  UPDATE audit_chain_head SET sequence = v_seq, hash = v_hash WHERE id = 1;
                  RETURN v_seq;
                END $f$;

                REVOKE ALL ON FUNCTION audit_append(timestamptz, text, text, text, text, text, text, text) FROM PUBLIC;
                GRANT EXECUTE ON FUNCTION audit_append(timestamptz, text, text, text, text, text, text, text) TO portal_app;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS audit_append(timestamptz, text, text, text, text, text, text, text);
                DROP FUNCTION IF EXISTS audit_hash_field(text);
                """);
        }
    }
}
