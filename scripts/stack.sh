# Sourced from the top of the tree by scripts/demo.sh and bench/lib.sh: `stack_up NAME
# [CLEANUP]` starts a throwaway PostgreSQL cluster (scripts/pg-cluster.sh) and MongoDB-wire
# server (scripts/mongo-server.sh; SNAPCTL_TEST_MONGO_SERVER and SNAPCTL_TEST_MONGO_URI choose
# which), takes their settings (PG*, SNAPCTL_PG_URI, SNAPCTL_MONGO_URI, ...) into the shell,
# and removes both on exit, after the shell command CLEANUP.
stack_up() {
	stack_pg=$(mktemp "/tmp/$1.XXXXXX") stack_mongo=$(mktemp "/tmp/$1.XXXXXX")
	# shellcheck disable=SC2064
	trap "${2:-:}"'; scripts/pg-cluster.sh stop "$stack_pg"
	      scripts/mongo-server.sh stop "$stack_mongo"; rm -f "$stack_pg" "$stack_mongo"' EXIT
	scripts/pg-cluster.sh start "$stack_pg"
	scripts/mongo-server.sh start "$stack_mongo"
	# shellcheck disable=SC1090
	. "$stack_pg"
	# shellcheck disable=SC1090
	. "$stack_mongo"
}
