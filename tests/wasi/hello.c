/* The smallest useful WASI program (also the start-up benchmark). */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    return 0;
}
