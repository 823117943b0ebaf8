/* The interpreter, run through the public API (cases in interp_exec_cases.h). */
#include "interp_exec_cases.h"

int main(void)
{
    int failures = run_exec_cases();
    printf(failures ? "%d failures\n" : "ok\n", failures);
    return failures != 0;
}
