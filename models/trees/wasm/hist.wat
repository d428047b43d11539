;; The histogram kernel in WebAssembly (see models/trees/hist.ts). Same loop as buildHistRange: for the rows
;; idx[begin..end) and features [f0, f1), hist[off[f] + 2·bin] += g[r], hist[off[f] + 2·bin + 1] += h[r].
;; Addresses are byte offsets into the shared memory; off[] holds byte offsets of each feature's histogram.
;; Built with wabt (npm run build:wasm) into hist-wasm.ts; hist-wasm.ts is committed so installs need no toolchain.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "hist")
    (param $bins i32) (param $F i32) (param $idx i32) (param $begin i32) (param $end i32)
    (param $g i32) (param $h i32) (param $hist i32) (param $off i32) (param $f0 i32) (param $f1 i32)
    (local $i i32) (local $r i32) (local $gg f64) (local $hh f64) (local $p i32) (local $pend i32) (local $q i32) (local $o i32)
    (local.set $i (local.get $begin))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $r (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $gg (f64.load (i32.add (local.get $g) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $hh (f64.load (i32.add (local.get $h) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $p (i32.add (local.get $bins) (i32.mul (local.get $r) (local.get $F))))
        (local.set $pend (i32.add (local.get $p) (local.get $f1)))
        (local.set $p (i32.add (local.get $p) (local.get $f0)))
        (local.set $q (i32.add (local.get $off) (i32.shl (local.get $f0) (i32.const 2))))
        (block $fd
          (loop $feat
            (br_if $fd (i32.ge_u (local.get $p) (local.get $pend)))
            (local.set $o (i32.add (i32.add (local.get $hist) (i32.load (local.get $q)))
                                   (i32.shl (i32.load8_u (local.get $p)) (i32.const 4))))
            (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $gg)))
            (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $hh)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $feat)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
