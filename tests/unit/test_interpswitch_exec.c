/*
 * The same execution tests with the executor built for switch dispatch (the
 * portable fallback of computed goto): this file compiles exec.c with
 * KINT_SWITCH_DISPATCH, so its kint_exec_call is this program's, and the
 * library's exec.o (which defines nothing else) is not linked in.
 */
#define KINT_SWITCH_DISPATCH 1
#include "../../src/interp/exec.c"

#include "interp_exec_cases.h"

/* The code the executor ran holds op numbers, not handler addresses: the
 * switch build is the one in use. */
static void check_switch_build(void)
{
    env e = {0};
    e.engine = kite_engine_new(NULL);
    e.store = kite_store_new(e.engine);
    if (load(&e, "(module (func (export \"f\") (result i32) (i32.const 7)))", NULL, 0)) {
        expect_int(&e, "f", NULL, 0, 7);
        const kint_code *c = atomic_load(&e.module->code[0]);
        check(c && c->nwords > 0 && c->code[0] < KINT_OP_COUNT, "switch build: op numbers in the code");
    }
    unload(&e);
    kite_store_free(e.store);
    kite_engine_free(e.engine);
}

int main(void)
{
    check_switch_build();
    int failures = run_exec_cases();
    printf(failures ? "%d failures\n" : "ok\n", failures);
    return failures != 0;
}
