/*
 * The same execution tests with the executor built for switch dispatch (the
 * portable fallback of computed goto): this file compiles exec.c with
 * KINT_SWITCH_DISPATCH and makes it the executor of this process.
 */
#define KINT_SWITCH_DISPATCH 1
#include "../../src/interp/exec.c"

#include "interp_exec_cases.h"

int main(void)
{
    kint_executor = kint_exec_call_switch;
    int failures = run_exec_cases();
    printf(failures ? "%d failures\n" : "ok\n", failures);
    return failures != 0;
}
