"""Training: the text-conditioned UNet (or its text-agnostic twin) on on-the-fly mixtures.

CPU time is the budget, so the recipe is built for learning per CPU-minute: a 128-band mel front end
(mask mapped back to linear bins for the loss), a small UNet, class-balanced sampling, crops on the
active part of clips, prompts routed through their similarity to the known class prompts, and data
parallelism through torch.distributed (two 1-thread processes beat one 2-thread process on this CPU;
torchrun spreads a run over GPUs and machines). Every validation records the CPU minutes spent so far
(all processes), so variants can be compared as curves of validation SI-SDRi against CPU minutes. A run
resumes from `{name}_last.pth` at an epoch boundary and reproduces the same data (each epoch's mixtures
are seeded by (seed, rank, epoch)).

Modules: `trainer` (Trainer: model, optimiser, resume, epochs, validation, checkpoints), `objective`
(Frontend, loss, Validator), `distributed` (torchrun workers, gradient averaging), `cli` (`textsep train`).
"""
