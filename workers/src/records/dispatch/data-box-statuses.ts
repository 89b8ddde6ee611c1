/** The actor of what is taken over from the data-box system. */
export const ISDS_ACTOR = 'system:isds';

/** dmMessageStatus values that mean the message was delivered (doručena): by fiction (5), by login (6), read (7), then deleted (9) or in the vault (10). */
export const DELIVERED_STATUSES: ReadonlySet<number> = new Set([5, 6, 7, 9, 10]);
/** Delivered by fiction: nobody logged into the box within ten days of its arrival (zákon 300/2008 Sb., § 17 odst. 4). */
export const FICTION_STATUS = 5;
/** Undeliverable (nedoručitelná): the addressee's box was made inaccessible before delivery. */
export const UNDELIVERABLE_STATUS = 8;
