/* The listing store (MongoDB), private to libsnapshot. Its code lives in a module,
 * snapshot-mongo.so next to libsnapshot, loaded on first use: linking libmongoc into every
 * snapctl process would add about 5 ms to each cold `snapctl upsert`, which never needs it. */
#ifndef SNAP_LISTINGS_H
#define SNAP_LISTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

#define SNAP_MONGO_ABI 5

/* One item of a batch: publish (upsert the listing unless a newer one is there) or remove
 * (unless a newer one is there). */
struct listing_item {
	const char *booking_id;
	const char *listing_id; /* publish: the listing's _id, an ObjectId in hex */
	int64_t version;
	int remove;
	const char *set_json;    /* publish: the fields to $set, extended JSON */
	const char *insert_json; /* publish: the fields to $setOnInsert */
	void *prepared;          /* publish: the module's BSON of the two, made ahead by
	                          * prepare (NULL: made by write) */
};

enum listing_outcome {
	LISTING_WRITTEN, /* the listing is at this version (or, removing, absent) */
	LISTING_NEWER,   /* a newer listing is there; nothing written */
	LISTING_RETRY,   /* not written, for a reason that may pass */
	LISTING_REJECTED /* the server refused the document itself */
};

struct listing_result {
	enum listing_outcome outcome;
	char listing_id[25]; /* the listing's _id in hex; "" when unknown or removed */
	int64_t found_version;
	char error[160];
};

/* What the module exports as "snap_mongo_ops". Every call returns a snap_code and fills err;
 * SNAP_ERR_UNAVAILABLE means the server could not be reached (the batch may be half done). */
struct mongo_ops {
	int abi;
	snap_code (*open)(void **h, const char *uri, const char *db, const char *app,
	                  snap_error *err);
	void (*close)(void *h);
	/* Duplicate listings: calls fn(booking_id, count) for each booking with several, up to
	 * max; with fix, deletes all but the newest of each. */
	snap_code (*duplicates)(void *h, int fix, void (*fn)(const char *, long, void *),
	                        void *data, long *found, snap_error *err);
	/* Creates the listing indexes; calls fn(name, keys) for each it created (or would). */
	snap_code (*indexes)(void *h, int check, void (*fn)(const char *, const char *, void *),
	                     void *data, snap_error *err);
	/* Converts the items' JSON to BSON ahead of write, so that the caller can overlap that
	 * work with another: it touches nothing but the items, and may run on another thread
	 * while write writes other items. An item it cannot convert is left for write to
	 * report. unprepare frees what prepare made. */
	void (*prepare)(struct listing_item *items, size_t n);
	void (*unprepare)(struct listing_item *items, size_t n);
	snap_code (*write)(void *h, const struct listing_item *items, size_t n,
	                   struct listing_result *out, snap_error *err);
	/* The listing as relaxed extended JSON; *json NULL when there is none. */
	snap_code (*get)(void *h, const char *booking_id, char **json, snap_error *err);
	/* Every listing's booking_id, in chunks: fn(ids, n, data) for each, until it returns
	 * other than SNAP_OK. The ids are borrowed for the call. */
	snap_code (*booking_ids)(void *h, snap_code (*fn)(const char *const *, size_t, void *),
	                         void *data, snap_error *err);
	/* Sets found[i] (0 or 1) for each ids[i] that has a listing. */
	snap_code (*present)(void *h, const char *const *ids, size_t n, unsigned char *found,
	                     snap_error *err);
	/* Listings in booking_id order, every one (ids NULL) or those of ids[0..n): fn(booking_id,
	 * version, doc, data) for each until it returns other than SNAP_OK, which scan returns.
	 * booking_id is "" when not a string; doc is valid during the call only, for same(). */
	snap_code (*scan)(void *h, const char *const *ids, size_t n,
	                  snap_code (*fn)(const char *booking_id, int64_t version, const void *doc,
	                                  void *data),
	                  void *data, snap_error *err);
	/* 1 when doc holds exactly the fields of json (a publication's $set, extended JSON),
	 * _id, snapshot_version, published_at and updated_at aside; 0 when not; -1 when json
	 * cannot be converted. */
	int (*same)(const void *doc, const char *json);
	/* 1 when the URI holds a secret (or cannot be parsed), else 0. */
	int (*uri_secret)(const char *uri);
};

/* listings.c: the loaded module and the open connection of ctx (loaded and opened on first
 * use). */
snap_code listings_open(snap_ctx *ctx, const struct mongo_ops **ops, void **h, snap_error *err);

#endif
