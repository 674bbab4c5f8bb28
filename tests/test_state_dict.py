"""Module state: train/eval, buffers, state_dict/load_state_dict with PyTorch's keys and
layouts, tg.save/tg.load as pickle-free .npz, and a state dict loaded into torch."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import nn


def _net(seed=0):
    return nn.Sequential(nn.Linear(4, 5, seed=seed), nn.BatchNorm1d(5), nn.ReLU(),
                         nn.Dropout(0.3, seed=seed), nn.Linear(5, 3, seed=seed + 1),
                         nn.LayerNorm(3))


def test_keys_and_shapes_are_pytorchs():
    sd = _net().state_dict()
    assert list(sd) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                        "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias",
                        "5.weight", "5.bias"]
    assert sd["0.weight"].shape == (5, 4)         # (out, in), as torch
    assert sd["1.num_batches_tracked"].dtype == np.int64
    assert all(isinstance(v, np.ndarray) for v in sd.values())


def test_state_dict_holds_copies():
    net = _net()
    sd = net.state_dict()
    sd["0.bias"][:] = 99.0
    assert not np.any(net[0].bias.data == 99.0)


def test_linear_exports_the_transpose_and_loads_it_back():
    layer = nn.Linear(3, 2, seed=0)
    np.testing.assert_array_equal(layer.state_dict()["weight"], layer.weight.data.T)
    other = nn.Linear(3, 2, seed=5)
    weight = other.weight
    other.load_state_dict(layer.state_dict())
    assert other.weight is weight                   # loaded in place: optimizers keep it
    np.testing.assert_array_equal(other.weight.data, layer.weight.data)
    assert "weight=(in, out)" in repr(layer)


def test_round_trip_restores_outputs_and_buffers():
    a, b = _net(0), _net(7)
    a(np.random.default_rng(0).normal(size=(8, 4)))   # moves a's running statistics
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = np.random.default_rng(1).normal(size=(6, 4))
    np.testing.assert_array_equal(a.eval()(x).data, b.eval()(x).data)
    assert int(b[1].num_batches_tracked.data) == 1


def test_strict_errors_name_missing_unexpected_and_misshaped_keys():
    net = _net()
    sd = net.state_dict()
    del sd["0.bias"]
    sd["extra.weight"] = np.zeros(2)
    sd["4.weight"] = np.zeros((5, 3))
    with pytest.raises(ValueError) as e:
        net.load_state_dict(sd)
    msg = str(e.value)
    assert "missing key(s): 0.bias" in msg and "unexpected key(s): extra.weight" in msg
    assert "4.weight" in msg and "(5, 3)" in msg and "(3, 5)" in msg


def test_non_strict_returns_the_mismatches_but_refuses_wrong_shapes():
    net = _net()
    sd = net.state_dict()
    del sd["5.bias"]
    sd["extra"] = np.zeros(1)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["5.bias"] and result.unexpected_keys == ["extra"]
    sd["0.bias"] = np.zeros(7)
    with pytest.raises(ValueError, match=r"0\.bias.*\(7,\).*\(5,\)"):
        net.load_state_dict(sd, strict=False)


def test_load_state_dict_rejects_a_non_mapping_and_non_numbers():
    with pytest.raises(TypeError, match="mapping"):
        nn.Linear(2, 2).load_state_dict([("weight", np.zeros((2, 2)))])
    sd = nn.Linear(2, 2).state_dict()
    sd["bias"] = np.array(["a", "b"])
    with pytest.raises(ValueError, match="bias holds <U1 data"):
        nn.Linear(2, 2).load_state_dict(sd)


def test_train_and_eval_propagate_to_submodules():
    net = _net()
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(TypeError, match="mode must be a bool"):
        net.train("no")


def test_subclass_without_super_init_keeps_working():
    class Block(nn.Module):
        def __init__(self):
            self.scale = tg.Tensor([2.0], requires_grad=True)
            self.inner = nn.Linear(2, 2, seed=0)
            self.register_buffer("steps", np.array(0))

        def forward(self, x):
            return self.inner(x) * self.scale

    block = Block()
    assert block.training
    assert [n for n, _ in block.named_parameters()] == ["scale", "inner.weight", "inner.bias"]
    assert [n for n, _ in block.named_buffers()] == ["steps"]
    assert list(block.state_dict()) == ["scale", "steps", "inner.weight", "inner.bias"]
    assert block.eval().inner.training is False


def test_buffers_are_not_parameters():
    bn = nn.BatchNorm1d(3)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert len(bn.buffers()) == 3
    with pytest.raises(ValueError, match="requires grad"):
        bn.register_buffer("bad", tg.Tensor([1.0], requires_grad=True))


def test_save_and_load_round_trip(tmp_path):
    sd = _net().state_dict()
    path = tg.save(sd, tmp_path / "model.npz")
    loaded = tg.load(path)
    assert list(loaded) == list(sd)
    for key in sd:
        np.testing.assert_array_equal(loaded[key], sd[key])
        assert loaded[key].dtype == sd[key].dtype
    with np.load(path, allow_pickle=False) as archive:    # a plain npz, no pickle inside
        assert sorted(archive.files) == sorted(sd)


def test_save_refuses_objects_and_bad_keys(tmp_path):
    with pytest.raises(TypeError, match="'w' has dtype object"):
        tg.save({"w": np.array([{}, 1], dtype=object)}, tmp_path / "m.npz")
    with pytest.raises(TypeError, match="'w' is a dict"):
        tg.save({"w": {"a": 1}}, tmp_path / "m.npz")
    with pytest.raises(TypeError, match="non-empty str"):
        tg.save({3: np.zeros(1)}, tmp_path / "m.npz")
    with pytest.raises(TypeError, match="mapping"):
        tg.save([np.zeros(1)], tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_load_refuses_pickled_objects(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="holds pickled objects; refusing to unpickle"):
        tg.load(path)
    (tmp_path / "model.pt").write_bytes(b"\x80\x04not an archive")
    with pytest.raises(ValueError, match="not an .npz archive of arrays; refusing"):
        tg.load(tmp_path / "model.pt")
    np.save(tmp_path / "one.npy", np.zeros(2))
    with pytest.raises(ValueError, match="a single array, not a state dict"):
        tg.load(tmp_path / "one.npy")


def test_a_saved_state_dict_loads_into_torch_and_gives_the_same_outputs(tmp_path):
    torch = pytest.importorskip("torch")
    net = nn.Sequential(nn.Linear(4, 6, seed=0), nn.BatchNorm1d(6), nn.GELU(),
                        nn.Linear(6, 5, seed=1), nn.LayerNorm(5), nn.LeakyReLU(0.1),
                        nn.Linear(5, 3, seed=2))
    x = np.random.default_rng(0).normal(size=(16, 4))
    for _ in range(3):                                # running statistics move
        net(x + np.random.default_rng(_).normal(size=x.shape))
    loaded = tg.load(tg.save(net.state_dict(), tmp_path / "net.npz"))
    ref = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.GELU(),
                              torch.nn.Linear(6, 5), torch.nn.LayerNorm(5),
                              torch.nn.LeakyReLU(0.1), torch.nn.Linear(5, 3)).double()
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in loaded.items()})
    ref.eval()
    net.eval()
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(net(x).data, expected, rtol=0, atol=1e-12)
    # and back: torch's state dict loads into tinygrad_lm
    back = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.GELU(), nn.Linear(6, 5),
                         nn.LayerNorm(5), nn.LeakyReLU(0.1), nn.Linear(5, 3)).eval()
    back.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    np.testing.assert_allclose(back(x).data, expected, rtol=0, atol=1e-12)
    again = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.GELU(), nn.Linear(6, 5),
                          nn.LayerNorm(5), nn.LeakyReLU(0.1), nn.Linear(5, 3)).eval()
    again.load_state_dict(ref.state_dict())          # torch tensors are taken as they are
    np.testing.assert_allclose(again(x).data, expected, rtol=0, atol=1e-12)


def test_torch_keys_match_for_every_new_module():
    torch = pytest.importorskip("torch")
    pairs = [(nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)),
             (nn.Embedding(7, 2), torch.nn.Embedding(7, 2)),
             (nn.LayerNorm((2, 3)), torch.nn.LayerNorm((2, 3))),
             (nn.Linear(3, 2, bias=False), torch.nn.Linear(3, 2, bias=False))]
    for ours, theirs in pairs:
        sd = ours.state_dict()
        assert list(sd) == list(theirs.state_dict())
        assert {k: v.shape for k, v in sd.items()} == {
            k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        assert repr(ours).split("(")[0] == repr(theirs).split("(")[0]


def test_an_optimizer_keeps_training_the_loaded_parameters():
    net, source = nn.Linear(3, 1, seed=0), nn.Linear(3, 1, seed=1)
    opt = tg.optim.SGD(net.parameters(), lr=0.1)
    net.load_state_dict(source.state_dict())
    ((net(np.ones((2, 3))) - 1.0) ** 2).sum().backward()
    opt.step()
    assert not np.array_equal(net.weight.data, source.weight.data)
    assert net.parameters()[0] is opt.params[0]


def test_float32_module_loads_float64_arrays_in_its_own_dtype():
    layer = nn.Linear(2, 2, seed=0)
    layer.weight.data = layer.weight.data.astype(np.float32)
    layer.load_state_dict(nn.Linear(2, 2, seed=1).state_dict())
    assert layer.weight.dtype == np.float32


def test_parameters_and_buffers_are_named_for_drawings():
    net = _net()
    assert [b.name for b in net.buffers()] == ["1.running_mean", "1.running_var",
                                               "1.num_batches_tracked"]
    assert net[4].weight.name == "4.weight"
