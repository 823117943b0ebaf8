/*
 * Backtraces: from frame records and code positions to Wasm byte offsets.
 * Only used when something went wrong, so the map is searched, not indexed.
 */
#include "interp/interp.h"

uint64_t kint_wasm_offset(const kint_code *code, uint32_t pos)
{
    /* The last instruction starting at or before pos. */
    uint32_t lo = 0, hi = code->npcmap;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (code->pcmap[mid].pos <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? code->pcmap[lo - 1].offset : 0;
}

void kint_trap_backtrace(kite_trap_t *trap, const kint_frame *entry, const kint_frame *top,
                         uint32_t inner_pos)
{
    for (const kint_frame *f = top; f >= entry; f--) {
        uint64_t offset = 0;
        if (f != top)
            /* A caller: its saved pc follows the call instruction. */
            offset = kint_wasm_offset(f->code, (uint32_t)(f->pc - f->code->code) - 1);
        else if (inner_pos != UINT32_MAX)
            offset = kint_wasm_offset(f->code, inner_pos);
        krt_trap_add_frame(trap, f->ki->inst, f->code->func_index, offset);
    }
}
