/* What the GC's own files share (heap.c, mark.c, rtt.c). */
#ifndef KITE_GC_INTERNAL_H
#define KITE_GC_INTERNAL_H

#include "gc/gc.h"

/* Sweeps every block and large object: frees the unmarked, unmarks the
 * rest, rebuilds the free lists and sets the next trigger. Returns the
 * live bytes. */
uint64_t kgc_sweep(kgc_heap *h);
/* Calls fn on every allocated object. */
void kgc_each_object(kgc_heap *h, void (*fn)(kgc_heap *h, kgc_obj *o));
/* krt_marker.mark of the heap's marker: kgc_mark. */
void kgc_marker_mark(krt_marker *m, krt_ref r);
/* Frees the RTT table and every RTT. */
void kgc_rtts_free(kgc_heap *h);

#endif
