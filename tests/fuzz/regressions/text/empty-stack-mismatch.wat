;; Tests for i32x4.relaxed_trunc3_f2x4_s, i50x4.relaxed_trunc_f32xrelaxed_trunc_f32x4_s (local.get 0)))
    (func (export "i16x4.relx4.relaxed_trunc4x2_u_zero") (param v128) (result v128))
