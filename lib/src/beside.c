/* Work beside the caller's: a function run on a thread of its own while the caller goes on
 * (sync-all takes PostgreSQL's results while MongoDB writes; reconcile asks MongoDB which
 * listings exist while PostgreSQL checks the snapshots). */
#include <pthread.h>
#include <signal.h>

#include "internal.h"

void beside_start(struct beside_run *b, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;

	/* Signals stay the caller's thread's business (its SIGTERM handler, say). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	b->threaded = pthread_create(&b->thread, NULL, fn, arg) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!b->threaded)
		fn(arg); /* the same, at once */
}

void beside_join(struct beside_run *b)
{
	if (b->threaded)
		pthread_join(b->thread, NULL);
	b->threaded = 0;
}
