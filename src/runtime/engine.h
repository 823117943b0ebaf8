/* The engine: configuration and engine-wide canonical types, shared by threads. */
#ifndef KITE_RUNTIME_ENGINE_H
#define KITE_RUNTIME_ENGINE_H

#include "ir/config.h"
#include "kite.h"
#include "types/canon.h"

struct kite_engine {
    struct kite_config config;
    ktype_canon *canon;
};

#endif
