// Raft snapshots as files: names that cannot point anywhere else, transfers written to disk and
// refused when they cannot fit, images read back chunk by chunk, and garbage removed.
#include "core/snapshot_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "support/chain_fixture.h"

namespace medtrail::node {
namespace {

using TempDir = medtrail::testing::TempDir;

std::set<std::string> files_in(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SnapshotFilesTest : public ::testing::Test {
 protected:
  std::shared_ptr<SnapshotFiles> open(uint64_t min_free = 0) {
    SnapshotFiles::Options options;
    options.dir = dir_.file("snapshots");
    options.max_image_bytes = 1 << 20;
    options.min_free_bytes = min_free;
    return SnapshotFiles::open(options).value();
  }
  // Receives `image` in chunks of 7 bytes; the name the transfer got.
  std::string receive(SnapshotFiles& files, const std::string& image, uint64_t index = 9) {
    EXPECT_TRUE(files.begin_receive({index, 2, {}}, image.size()).ok());
    for (size_t at = 0; at < image.size(); at += 7) {
      EXPECT_TRUE(files.receive(std::string_view(image).substr(at, 7)).ok());
    }
    auto name = files.finish_receive();
    EXPECT_TRUE(name.ok()) << name.status().to_string();
    return name.ok() ? *name : std::string();
  }
  std::string dir() const { return dir_.file("snapshots"); }

  TempDir dir_;
};

TEST_F(SnapshotFilesTest, NamesAreImagesInTheDirectoryAndNothingElse) {
  auto files = open();
  const std::string name = files->new_name(42);
  EXPECT_TRUE(name.starts_with("image-42-")) << name;
  EXPECT_NE(files->new_name(42), name) << "two images at one index never share a name";
  ASSERT_TRUE(files->path_of(name).ok());
  EXPECT_EQ(*files->path_of(name), dir() + "/" + name);
  for (const std::string bad : {"", "incoming.part", "../image-1-0123456789abcdef",
                                "image-1-0123456789abcdef/..", "image--0123456789abcdef",
                                "image-1-0123456789ABCDEF", "image-1-0123456789abcde",
                                "image-x-0123456789abcdef", "image-123456789012345678901-0123456789abcdef"}) {
    EXPECT_EQ(files->path_of(bad).status().code(), "invalid") << bad;
  }
}

TEST_F(SnapshotFilesTest, AReceivedImageIsAFileReadBackInChunks) {
  auto files = open();
  std::string image;
  for (int i = 0; i < 100; ++i) image += "chunk" + std::to_string(i);
  const std::string name = receive(*files, image);
  ASSERT_TRUE(files->path_of(name).ok()) << name;
  EXPECT_EQ(contents(*files->path_of(name)), image);
  EXPECT_EQ(files_in(dir()), std::set<std::string>{name}) << "no incoming.part left behind";

  consensus::Snapshot snap{{9, 2, {}}, name};
  ASSERT_EQ(*files->size(snap), image.size());
  std::string back;
  for (uint64_t at = 0; at < image.size(); at += 100) back += *files->read(snap, at, 100);
  EXPECT_EQ(back, image);
  EXPECT_EQ(*files->read(snap, image.size() - 3, 100), image.substr(image.size() - 3));
}

TEST_F(SnapshotFilesTest, AnImageWrittenInlineByAnOlderNodeIsReadInPlace) {
  auto files = open();
  const std::string inline_image = "MTIMAGE1 and the rest of an image";
  consensus::Snapshot snap{{9, 2, {}}, inline_image};
  EXPECT_TRUE(SnapshotFiles::is_inline(inline_image));
  EXPECT_EQ(*files->size(snap), inline_image.size());
  EXPECT_EQ(*files->read(snap, 8, 4), " and");
  EXPECT_FALSE(SnapshotFiles::is_inline(files->new_name(1)));
}

TEST_F(SnapshotFilesTest, ATransferThatCannotFitIsRefusedBeforeAnyByte) {
  auto files = open();
  EXPECT_EQ(files->begin_receive({9, 2, {}}, (1 << 20) + 1).code(), "too_large");
  auto crowded = open(/*min_free=*/uint64_t{1} << 60);
  EXPECT_EQ(crowded->begin_receive({9, 2, {}}, 10).code(), "disk_full");
  EXPECT_TRUE(files_in(dir()).empty());
  EXPECT_EQ(crowded->receive("bytes").code(), "invalid") << "no transfer is open";
}

TEST_F(SnapshotFilesTest, AbortedAndInterruptedTransfersLeaveNothing) {
  {
    auto files = open();
    ASSERT_TRUE(files->begin_receive({9, 2, {}}, 10).ok());
    ASSERT_TRUE(files->receive("12345").ok());
    EXPECT_EQ(files_in(dir()), std::set<std::string>{"incoming.part"});
    files->abort_receive();
    EXPECT_TRUE(files_in(dir()).empty());
    ASSERT_TRUE(files->begin_receive({9, 2, {}}, 10).ok());
    ASSERT_TRUE(files->receive("12345").ok());
  }
  // A crash leaves the part file; the next start removes it.
  std::ofstream(dir() + "/incoming.part") << "half";
  open();
  EXPECT_TRUE(files_in(dir()).empty());
}

TEST_F(SnapshotFilesTest, EverythingButTheCurrentImageIsGarbage) {
  auto files = open();
  const std::string old_image = receive(*files, "old image");
  const std::string refused = receive(*files, "refused image");
  const std::string current = receive(*files, "current image");
  std::ofstream(dir() + "/" + files->new_name(7) + ".part") << "an export cut short";
  files->discard(refused);
  EXPECT_EQ(files_in(dir()).size(), 3u);
  files->remove_all_but(current);
  EXPECT_EQ(files_in(dir()), std::set<std::string>{current});
  EXPECT_EQ(contents(*files->path_of(current)), "current image");
  files->discard("../snapshots");  // not an image name: nothing happens
  EXPECT_TRUE(std::filesystem::exists(dir()));
  (void)old_image;
}

}  // namespace
}  // namespace medtrail::node
