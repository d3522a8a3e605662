# fish completion for snapctl. Options mirror the command table (cli/cmdtab.c);
# tests/docs/agree.sh checks that they do.
set -l commands init-db upsert get publish sync-all withdraw
complete -c snapctl -f
complete -c snapctl -n "not __fish_seen_subcommand_from $commands" -a init-db -d 'create or migrate the schema snapctl owns'
complete -c snapctl -n "not __fish_seen_subcommand_from $commands" -a upsert -d 'aggregate bookings into snapshots'
complete -c snapctl -n "not __fish_seen_subcommand_from $commands" -a get -d "print a booking's snapshot as JSON"
complete -c snapctl -n "not __fish_seen_subcommand_from $commands" -a publish -d 'publish listings now, whatever their schedule'
complete -c snapctl -n "not __fish_seen_subcommand_from $commands" -a sync-all -d 'publish due snapshots, remove listings of finished bookings'
complete -c snapctl -n "not __fish_seen_subcommand_from $commands" -a withdraw -d "remove a booking's listing now"

complete -c snapctl -l pg -r -d 'PostgreSQL URI or conninfo'
complete -c snapctl -l mongo -r -d 'MongoDB URI'
complete -c snapctl -l mongo-db -r -d 'database of market_listings'
complete -c snapctl -l config -r -F -d 'read settings from FILE'
complete -c snapctl -l json -d 'machine-readable output'
complete -c snapctl -s q -l quiet -d 'print errors only'
complete -c snapctl -s v -l verbose -d 'log progress; twice for debug'
complete -c snapctl -l log-format -x -a 'text json' -d 'stderr log format'
complete -c snapctl -s h -l help -d 'show help and exit'
complete -c snapctl -s V -l version -d 'show the version and exit'

complete -c snapctl -n "__fish_seen_subcommand_from init-db" -l check -d 'report what would change'
complete -c snapctl -n "__fish_seen_subcommand_from init-db" -s n -l dry-run -d 'report what would change'
complete -c snapctl -n "__fish_seen_subcommand_from init-db" -l source-indexes -d 'also create the source indexes'
complete -c snapctl -n "__fish_seen_subcommand_from upsert" -l all -d 'every booking'
complete -c snapctl -n "__fish_seen_subcommand_from upsert" -s n -l dry-run -d 'do everything but commit'
complete -c snapctl -n "__fish_seen_subcommand_from upsert" -l batch-size -x -d 'bookings per transaction'
complete -c snapctl -n "__fish_seen_subcommand_from upsert" -l publish -d 'then publish the listings left ready'
complete -c snapctl -n "__fish_seen_subcommand_from init-db" -l fix-duplicates -d 'keep the newest listing of each booking'
complete -c snapctl -n "__fish_seen_subcommand_from get" -l listing -d 'print the MongoDB listing instead'
complete -c snapctl -n "__fish_seen_subcommand_from publish" -s n -l dry-run -d 'report what would change'
complete -c snapctl -n "__fish_seen_subcommand_from sync-all" -s n -l dry-run -d 'report what would change'
complete -c snapctl -n "__fish_seen_subcommand_from withdraw" -s n -l dry-run -d 'report what would change'
complete -c snapctl -n "__fish_seen_subcommand_from sync-all" -l limit -x -d 'snapshots at most'
complete -c snapctl -n "__fish_seen_subcommand_from sync-all" -l batch-size -x -d 'snapshots per batch'
complete -c snapctl -n "__fish_seen_subcommand_from sync-all" -l max-duration -x -d 'stop claiming after SECONDS'
complete -c snapctl -n "__fish_seen_subcommand_from sync-all" -l retry-failed -d 'also retry failed snapshots'
